package io.tether.sync.websocket;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bare protocol client for tests: sends text as given, collects what the hub sends, can stop reading. */
final class RawSocket implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder parts = new StringBuilder();
    private final boolean reading;
    private WebSocket ws;

    private RawSocket(boolean reading) {
        this.reading = reading;
    }

    /** A client that reads everything. */
    static RawSocket open(URI uri) {
        return open(uri, true);
    }

    /** A client that, when {@code reading} is false, reads nothing after the socket opened (TCP backpressure). */
    static RawSocket open(URI uri, boolean reading) {
        RawSocket s = new RawSocket(reading);
        s.ws = CLIENT.newWebSocketBuilder().buildAsync(uri, s).join();
        return s;
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    void sendBinary(byte[] data) {
        ws.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** The next message, or fails after {@code seconds}. */
    String next(int seconds) throws InterruptedException {
        String m = received.poll(seconds, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + seconds + " s");
        }
        return m;
    }

    int awaitClose(Duration timeout) throws Exception {
        return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        parts.append(data);
        if (last) {
            received.add(parts.toString());
            parts.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
