package io.tether.sync.rest;

import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProtocolCodec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

/** Raw HTTP for tests that speak the protocol the way curl would. */
final class Http {
    static final ProtocolCodec CODEC = ProtocolCodec.load();
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    record Reply(int status, java.net.http.HttpHeaders headers, byte[] raw) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The body, gunzipped when the response says gzip. */
        byte[] body() {
            if ("gzip".equals(header("Content-Encoding"))) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return raw;
        }

        String text() {
            return new String(body(), StandardCharsets.UTF_8);
        }

        Problem problem() {
            if (!"application/problem+json".equals(header("Content-Type"))) {
                throw new AssertionError("expected application/problem+json, got " + header("Content-Type")
                        + " with status " + status + ": " + text());
            }
            return CODEC.readProblem(body());
        }
    }

    static Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static HttpRequest.Builder get(URI base, String pathAndQuery, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    static HttpRequest.Builder post(URI base, String path, String token, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
