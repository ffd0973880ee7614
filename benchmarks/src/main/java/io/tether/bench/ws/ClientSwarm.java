package io.tether.bench.ws;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * N protocol clients in their own JVM, so the hub's process holds only the hub. Each socket says hello and
 * acknowledges every {@code changes} message. Prints {@code CONNECTED <n>} once every socket was welcomed; in
 * fan-out mode also {@code ROUND <r> <nanoTime>} when the last socket received the note {@code fan<r>}
 * ({@link System#nanoTime} is the machine's monotonic clock on Linux, comparable between processes). Closes
 * everything when stdin ends or a line {@code quit} arrives.
 * Arguments: socket URL, token, cursor, N, mode ({@code idle} or {@code fanout}).
 */
public final class ClientSwarm {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        String token = args[1];
        String cursor = args[2];
        int n = Integer.parseInt(args[3]);
        boolean fanout = args.length > 4 && args[4].equals("fanout");
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "swarm");
            t.setDaemon(true);
            return t;
        })).build();
        CountDownLatch welcomed = new CountDownLatch(n);
        ConcurrentHashMap<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();
        ConcurrentHashMap<Integer, AtomicLong> last = new ConcurrentHashMap<>();
        List<WebSocket> sockets = new ArrayList<>(n);
        int batch = 250;
        for (int from = 0; from < n; from += batch) {
            List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                opening.add(client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder parts = new StringBuilder();
                    private CompletableFuture<WebSocket> sends = CompletableFuture.completedFuture(null);

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean lastPart) {
                        parts.append(data);
                        if (lastPart) {
                            String text = parts.toString();
                            parts.setLength(0);
                            handle(ws, text);
                        }
                        ws.request(1);
                        return null;
                    }

                    private void handle(WebSocket ws, String text) {
                        if (text.contains("\"type\":\"welcome\"")) {
                            welcomed.countDown();
                        } else if (text.contains("\"type\":\"changes\"")) {
                            long now = System.nanoTime();
                            int at = text.indexOf("\"id\":\"fan");
                            if (fanout && at >= 0) {
                                int end = text.indexOf('"', at + 9);
                                int round = Integer.parseInt(text.substring(at + 9, end));
                                last.computeIfAbsent(round, r -> new AtomicLong()).accumulateAndGet(now, Math::max);
                                if (counts.computeIfAbsent(round, r -> new AtomicInteger()).incrementAndGet() == n) {
                                    System.out.println("ROUND " + round + " " + last.get(round).get());
                                    System.out.flush();
                                }
                            }
                            int c = text.indexOf("\"cursor\":\"");
                            String acked = text.substring(c + 10, text.indexOf('"', c + 10));
                            sends = sends.handle((r, e) -> null)
                                    .thenCompose(x -> ws.sendText("{\"type\":\"ack\",\"cursor\":\"" + acked + "\"}", true));
                        }
                    }
                }));
            }
            for (CompletableFuture<WebSocket> f : opening) {
                WebSocket ws = f.get(60, TimeUnit.SECONDS);
                sockets.add(ws);
                ws.sendText("{\"type\":\"hello\",\"clientId\":\"" + UUID.randomUUID() + "\",\"token\":\"" + token
                        + "\",\"cursor\":\"" + cursor + "\",\"schemaVersion\":1}", true);
            }
        }
        if (!welcomed.await(120, TimeUnit.SECONDS)) {
            System.out.println("FAILED " + (n - welcomed.getCount()));
            System.exit(1);
        }
        System.out.println("CONNECTED " + sockets.size());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null && !line.equals("quit")) {
            // waits
        }
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        System.exit(0);
    }
}
