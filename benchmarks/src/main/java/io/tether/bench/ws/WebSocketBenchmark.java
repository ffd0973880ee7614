package io.tether.bench.ws;

import io.tether.sync.ChangeEvent;
import io.tether.sync.Origin;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Subscription;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.SyncTransport;
import io.tether.sync.websocket.WebSocketTransport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket benchmarks on loopback, each against a fresh hub (memory store, REST and the live socket on one Jetty):
 * <ol>
 *   <li>commit-to-apply latency: replica A writes a record and asks for a sync at once (the engine's debounce is
 *       off); the time until replica B's store committed it, received live (B never polls);</li>
 *   <li>fan-out: one change committed on the hub until the last of 1,000 live sockets (protocol clients in a
 *       second JVM, {@link ClientSwarm}) received it;</li>
 *   <li>hub heap per idle connection: 10,000 sockets opened from a second JVM, each past its hello and live.</li>
 * </ol>
 * Arguments: writes (default 2000), fan-out clients (1000), idle connections (10000).
 */
public final class WebSocketBenchmark {
    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int fanout = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int idle = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        System.out.printf("java %s, %d processors, max heap %d MB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        latency(writes);
        fanOut(fanout);
        idleHeap(idle);
        System.exit(0);
    }

    // ---- 1. commit on A to applied on B

    static void latency(int writes) throws Exception {
        try (BenchHub hub = new BenchHub()) {
            MemoryReplicaStore as = MemoryStore.replica();
            MemoryReplicaStore bs = MemoryStore.replica();
            WebSocketTransport at = hub.transport("ann", as::clientId);
            WebSocketTransport bt = hub.transport("ann", bs::clientId);
            try (ReplicaEngine a = replica(as, at); ReplicaEngine b = replica(bs, bt)) {
                BlockingQueue<long[]> arrivals = new LinkedBlockingQueue<>();
                b.onChange(batch -> {
                    if (batch.origin() == Origin.REMOTE) {
                        long now = System.nanoTime();
                        for (ChangeEvent e : batch.changes()) {
                            arrivals.add(new long[]{Long.parseLong(e.id().substring(1)), now});
                        }
                    }
                });
                a.syncNow();
                b.syncNow();
                waitFor(() -> at.connected() && bt.connected(), "both sockets");
                int warmup = Math.min(500, writes / 2);
                long[] latencies = new long[writes];
                for (int i = 0; i < warmup + writes; i++) {
                    long start = System.nanoTime();
                    as.put("notes", "k" + i, BenchHub.note("k" + i, i));
                    CompletableFuture<SyncReport> cycle = a.requestSync();
                    long arrived = -1;
                    while (arrived < 0) {
                        long[] got = arrivals.poll(10, TimeUnit.SECONDS);
                        if (got == null) {
                            throw new IllegalStateException("write " + i + " did not reach B within 10 s");
                        }
                        if (got[0] == i) {
                            arrived = got[1];
                        }
                    }
                    if (i >= warmup) {
                        latencies[i - warmup] = arrived - start;
                    }
                    cycle.get(10, TimeUnit.SECONDS);
                }
                Arrays.sort(latencies);
                System.out.printf(Locale.ROOT, "latency A->B over %d writes (after %d warm-up): median %.2f ms,"
                                + " p90 %.2f ms, p99 %.2f ms, max %.2f ms; pushes over the socket: %d%n", writes, warmup,
                        ms(latencies[writes / 2]), ms(latencies[(int) (writes * 0.90)]),
                        ms(latencies[(int) (writes * 0.99)]), ms(latencies[writes - 1]), at.socketPushes());
            } finally {
                at.close();
                bt.close();
            }
        }
    }

    private static ReplicaEngine replica(MemoryReplicaStore store, WebSocketTransport transport) {
        return Tether.replica().store(store).transport(transport).schema(BenchHub.SCHEMA)
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }

    // ---- 2. one change to N clients

    static void fanOut(int clients) throws Exception {
        try (BenchHub hub = new BenchHub()) {
            Process swarm = swarm(hub, hub.hub.service().cursorAt(0), clients, "fanout");
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(swarm.getInputStream()));
                expectConnected(out);
                waitFor(() -> hub.live.stats().live() == clients, clients + " live sockets");
                int rounds = 30;
                long[] all = new long[rounds];
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    hub.store.put("notes", "fan" + r, BenchHub.note("fan" + r, r));
                    String line = out.readLine();
                    if (line == null || !line.startsWith("ROUND " + r + " ")) {
                        throw new IllegalStateException("the client process said: " + line);
                    }
                    all[r] = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)) - t0;
                    Thread.sleep(100);
                }
                long[] measured = Arrays.copyOfRange(all, 5, rounds);
                Arrays.sort(measured);
                System.out.printf(Locale.ROOT, "fan-out of one change to %d live clients (%d rounds after 5 warm-up),"
                                + " commit until the last client had it: median %.1f ms, max %.1f ms%n", clients,
                        measured.length, ms(measured[measured.length / 2]), ms(measured[measured.length - 1]));
                quit(swarm);
            } finally {
                swarm.destroyForcibly();
            }
        }
    }

    // ---- 3. hub heap per idle connection

    static void idleHeap(int connections) throws Exception {
        try (BenchHub hub = new BenchHub()) {
            for (int i = 0; i < 100; i++) {
                hub.store.put("notes", "seed" + i, BenchHub.note("seed" + i, i));
            }
            String cursor;
            try (var rest = io.tether.sync.rest.RestTransport.builder(hub.base()).token(BenchHub.token("ann"))
                    .schemaVersion(1).build()) {
                cursor = rest.pull(PullRequest.from(hub.hub.service().cursorAt(0), 5000)).cursor();
            }
            long before = settledHeap();
            Process swarm = swarm(hub, cursor, connections, "idle");
            try {
                expectConnected(new BufferedReader(new InputStreamReader(swarm.getInputStream())));
                waitFor(() -> hub.live.stats().live() == connections, connections + " live sockets on the hub");
                long after = settledHeap();
                System.out.printf(Locale.ROOT, "hub heap with %d idle live connections: %.1f MB more than with none,"
                                + " %.1f KB per connection%n", connections, (after - before) / 1048576.0,
                        (after - before) / 1024.0 / connections);
                quit(swarm);
            } finally {
                swarm.destroyForcibly();
            }
        }
    }

    private static Process swarm(BenchHub hub, String cursor, int n, String mode) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx4g", "-cp", System.getProperty("java.class.path"),
                ClientSwarm.class.getName(), hub.socket().toString(), BenchHub.token("ann"), cursor,
                String.valueOf(n), mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void expectConnected(BufferedReader out) throws java.io.IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith("CONNECTED")) {
            throw new IllegalStateException("the client process said: " + line);
        }
    }

    private static void quit(Process swarm) throws Exception {
        try (OutputStream in = swarm.getOutputStream()) {
            in.write("quit\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        swarm.waitFor(30, TimeUnit.SECONDS);
    }

    private static long settledHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
