package io.tether.sync.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/** An HTTP server that answers from a script and records requests, for transport tests. */
final class ScriptedHub implements AutoCloseable {
    record Answer(int status, Map<String, String> headers, byte[] body, long delayMillis) {
        static Answer of(int status, String contentType, byte[] body) {
            return new Answer(status, Map.of("Content-Type", contentType), body, 0);
        }

        Answer with(String header, String value) {
            Map<String, String> h = new java.util.HashMap<>(headers);
            h.put(header, value);
            return new Answer(status, h, body, delayMillis);
        }

        Answer delayed(long millis) {
            return new Answer(status, headers, body, millis);
        }
    }

    record Received(String method, URI uri, com.sun.net.httpserver.Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        /** The body as the client meant it, gunzipped when sent gzip. */
        byte[] decoded() throws IOException {
            if ("gzip".equals(header("Content-Encoding"))) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    return in.readAllBytes();
                }
            }
            return body;
        }
    }

    private final HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    final List<Received> received = new CopyOnWriteArrayList<>();

    ScriptedHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized ScriptedHub then(Answer answer) {
        script.add(answer);
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI(), exchange.getRequestHeaders(),
                body));
        Answer answer;
        synchronized (this) {
            answer = script.isEmpty() ? Answer.of(599, "text/plain", "script exhausted".getBytes()) : script.poll();
        }
        if (answer.delayMillis() > 0) {
            try {
                Thread.sleep(answer.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
