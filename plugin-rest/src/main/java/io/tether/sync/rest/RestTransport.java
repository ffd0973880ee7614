package io.tether.sync.rest;

import io.tether.sync.ProblemException;
import io.tether.sync.TransportException;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.ProtocolCodec;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * The replica side of protocol v1 over HTTP, on {@link HttpClient}.
 *
 * <ul>
 *   <li>Every request carries {@code Authorization: Bearer} with a token from the token supplier; after a 401
 *       the supplier is asked again and the request is sent once more with the new token.</li>
 *   <li>Network errors, 5xx, 429 and 503 are retried with exponential backoff and full jitter, honouring
 *       {@code Retry-After}, up to {@link Builder#maxAttempts}; then a {@link TransportException} with
 *       {@code retryable() == true} hands the retry over to the engine's own backoff. Pushes are safe to retry:
 *       the hub deduplicates by change id.</li>
 *   <li>Other 4xx answers are not retried: they throw a {@link ProblemException} with the hub's problem
 *       ({@code cursor-expired}, {@code schema-mismatch}, {@code bad-request}, ...).</li>
 *   <li>Responses are accepted gzip; request bodies of at least 1 KiB are sent gzip (unless turned off).</li>
 * </ul>
 *
 * <pre>{@code
 * SyncTransport transport = RestTransport.builder(URI.create("https://hub.example.com"))
 *         .tokenSupplier(myIdentityProvider::currentToken)
 *         .build();
 * }</pre>
 *
 * Thread-safe. {@link #close()} is idempotent; a closed transport refuses further requests.
 */
public final class RestTransport implements SyncTransport {
    private static final int GZIP_REQUEST_THRESHOLD = 1024;

    private final URI base;
    private final Settings config;
    private final ProtocolCodec codec;
    private final ExecutorService executor;
    /** Null once closed, so that on Java 17 (no {@code HttpClient.close()}) the client can be collected. */
    private volatile HttpClient client;
    private final Random random;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RestTransport(Builder b) {
        this.config = new Settings(b.requestTimeout, b.tokenSupplier, b.schemaVersion, b.gzip, b.maxAttempts,
                b.initialBackoff, b.maxBackoff, b.maxRetryAfter, b.maxResponseBytes);
        String url = b.baseUrl.toString();
        this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.codec = b.codec != null ? b.codec : ProtocolCodec.load();
        this.random = b.seed == null ? new Random() : new Random(b.seed);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tether-rest-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor);
        if (b.sslContext != null) {
            client.sslContext(b.sslContext);
        }
        this.client = client.build();
    }

    /** What a built transport keeps of its builder: later changes to the builder do not reach it. */
    private record Settings(Duration requestTimeout, Supplier<String> tokenSupplier, Integer schemaVersion,
                            boolean gzip, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                            Duration maxRetryAfter, long maxResponseBytes) {
    }

    /** A builder for a transport to the hub at {@code baseUrl} (such as {@code http://localhost:8080}). */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /** The hub's base URL. */
    public URI baseUrl() {
        return base;
    }

    @Override
    public PushResponse push(PushRequest request) {
        byte[] json = codec.writePushRequest(request);
        return exchange("POST", "/sync/v1/push", json, codec::readPushResponse);
    }

    @Override
    public PullResponse pull(PullRequest request) {
        StringBuilder query = new StringBuilder();
        if (request.cursor() != null) {
            query.append("cursor=").append(URLEncoder.encode(request.cursor(), StandardCharsets.UTF_8));
        }
        if (request.limit() > 0) {
            query.append(query.length() > 0 ? "&" : "").append("limit=").append(request.limit());
        }
        if (!request.collections().isEmpty()) {
            query.append(query.length() > 0 ? "&" : "").append("collections=").append(URLEncoder.encode(
                    String.join(",", request.collections().stream().sorted().toList()), StandardCharsets.UTF_8));
        }
        String path = "/sync/v1/pull" + (query.length() > 0 ? "?" + query : "");
        return exchange("GET", path, null, codec::readPullResponse);
    }

    @Override
    public Schema schema() {
        return exchange("GET", "/sync/v1/schema", null, codec::readSchema);
    }

    /** Sends one request with retries; {@code body} null for a GET. */
    private <T> T exchange(String method, String path, byte[] body, Function<byte[], T> parse) {
        if (closed.get()) {
            throw new TransportException("The REST transport to " + base + " is closed.", false);
        }
        URI uri = URI.create(base + path);
        String what = method + " " + uri;
        String token = config.tokenSupplier().get();
        boolean tokenRefreshed = false;
        TransportException last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            HttpClient http = client;
            if (http == null) {
                throw new TransportException("The REST transport to " + base + " is closed.", false);
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request(method, uri, body, token),
                        info -> new LimitedBody(config.maxResponseBytes()));
            } catch (IOException e) {
                if (LimitedBody.tooLarge(e)) {
                    throw tooLarge(what);
                }
                last = new TransportException(what + " failed: " + describe(e), true, null, e);
                pause(attempt, null, last);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException(what + " was interrupted", true, null, e);
            }
            int status = response.statusCode();
            if (status == 200) {
                byte[] payload;
                try {
                    payload = decode(response, config.maxResponseBytes());
                    return parse.apply(payload);
                } catch (IOException | ProblemException e) {
                    if (LimitedBody.tooLarge(e)) {
                        throw tooLarge(what);
                    }
                    last = new TransportException(what + " returned an unreadable body: " + e.getMessage(), true,
                            null, e);
                    pause(attempt, null, last);
                    continue;
                }
            }
            Problem problem = problem(response);
            if (status == 401 && !tokenRefreshed) {
                tokenRefreshed = true;
                token = config.tokenSupplier().get();
                attempt--; // asking for a fresh token is not a failed attempt
                continue;
            }
            if (status == 429 || status >= 500) {
                Duration retryAfter = retryAfter(response);
                last = new TransportException(what + " answered " + status + " " + problem.type().wireName() + ": "
                        + problem.detail(), true, retryAfter, new ProblemException(problem));
                if (retryAfter != null && retryAfter.compareTo(config.maxRetryAfter()) > 0) {
                    throw last; // the engine waits that long, not this thread
                }
                pause(attempt, retryAfter, last);
                continue;
            }
            if (status >= 400) {
                throw new ProblemException(problem);
            }
            throw new TransportException(what + " answered unexpected status " + status
                    + (status / 100 == 3 ? " (redirect to " + response.headers().firstValue("Location").orElse("?")
                    + "); configure the hub's final URL" : ""), false);
        }
        throw new TransportException(what + " failed after " + config.maxAttempts() + " attempts; last: "
                + last.getMessage(), true, last.retryAfter().orElse(null), last.getCause());
    }

    private HttpRequest request(String method, URI uri, byte[] body, String token) {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
                .header("Accept", "application/json, application/problem+json");
        if (config.gzip()) {
            r.header("Accept-Encoding", "gzip");
        }
        if (token != null && !token.isBlank()) {
            r.header("Authorization", "Bearer " + token);
        }
        if (config.schemaVersion() != null) {
            r.header(SyncServlet.SCHEMA_VERSION_HEADER, Integer.toString(config.schemaVersion()));
        }
        if (body == null) {
            return r.GET().build();
        }
        byte[] payload = body;
        if (config.gzip() && body.length >= GZIP_REQUEST_THRESHOLD) {
            try {
                payload = Responses.gzip(body);
            } catch (IOException e) {
                throw new IllegalStateException("gzip of an in-memory body failed", e);
            }
            r.header("Content-Encoding", "gzip");
        }
        return r.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(payload)).build();
    }

    /** A response larger than the limit: retrying gets the same answer, so it goes to the engine at once. */
    private TransportException tooLarge(String what) {
        return new TransportException(what + " returned a body larger than " + config.maxResponseBytes()
                + " bytes (RestTransport.Builder.maxResponseBytes); pull smaller pages (pullPageSize) or raise the "
                + "limit", false);
    }

    private static byte[] decode(HttpResponse<byte[]> response, long max) throws IOException {
        String encoding = response.headers().firstValue("Content-Encoding").orElse("identity").trim();
        if (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip")) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
                byte[] out = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
                if (out.length > max) {
                    throw new LimitedBody.TooLarge();
                }
                return out;
            }
        }
        if (!encoding.equalsIgnoreCase("identity")) {
            throw new IOException("unsupported Content-Encoding '" + encoding + "'");
        }
        return response.body();
    }

    /** The hub's problem, or one made from the status when the body is not a problem (a proxy's error page). */
    private Problem problem(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.toLowerCase(Locale.ROOT).startsWith(Responses.PROBLEM_JSON)) {
            try {
                return codec.readProblem(decode(response, config.maxResponseBytes()));
            } catch (IOException | RuntimeException e) {
                // fall through: an unreadable problem is described by its status
            }
        }
        Problem synthetic = ProblemErrorHandler.problem(status, "the hub answered " + status + " without a problem body"
                + (type.isEmpty() ? "" : " (" + type + ")") + "; is " + base + " a Tether hub?");
        return new Problem(synthetic.type(), synthetic.title(), status, synthetic.detail(), List.of());
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(RestTransport::parseRetryAfter).orElse(null);
    }

    /** {@code Retry-After} as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3); null when malformed. */
    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        if (v.matches("[0-9]{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d = Duration.between(java.time.Instant.now(),
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Waits before the next attempt, or returns at once when none is left. */
    private void pause(int attempt, Duration retryAfter, TransportException cause) {
        if (attempt >= config.maxAttempts()) {
            return;
        }
        long delay = retryAfter != null ? retryAfter.toMillis() : backoffMillis(attempt);
        if (delay <= 0) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(cause.getMessage() + " (retry interrupted)", true, null, e);
        }
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, initial * 2^(attempt-1))]. */
    long backoffMillis(int attempt) {
        long ceiling = config.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        ceiling = Math.min(ceiling, config.maxBackoff().toMillis());
        synchronized (random) {
            return ceiling <= 0 ? 0 : (long) (random.nextDouble() * (ceiling + 1));
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Releases the client's threads. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            HttpClient http = client;
            client = null;
            if (http instanceof AutoCloseable closeable) { // Java 21+: closes the selector thread at once
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing a client cannot fail in a way the caller could act on
                }
            }
            executor.shutdownNow();
        }
    }

    /** Configures a {@link RestTransport}. Only the base URL is required. */
    public static final class Builder {
        private final URI baseUrl;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Supplier<String> tokenSupplier = () -> null;
        private Integer schemaVersion;
        private boolean gzip = true;
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration maxRetryAfter = Duration.ofSeconds(30);
        private long maxResponseBytes = 256L * 1024 * 1024;
        private Long seed;
        private SSLContext sslContext;
        private ProtocolCodec codec;

        private Builder(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
                throw new io.tether.sync.ConfigurationException("The hub URL must be an absolute http or https URL"
                        + " such as http://localhost:8080, was '" + baseUrl + "'.");
            }
            if (baseUrl.getQuery() != null || baseUrl.getFragment() != null) {
                throw new io.tether.sync.ConfigurationException("The hub URL must have no query or fragment, was '"
                        + baseUrl + "'.");
            }
            this.baseUrl = baseUrl;
        }

        /** How long to wait for a connection. Default: 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** How long to wait for a whole response. Default: 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /** A fixed bearer token. */
        public Builder token(String token) {
            return tokenSupplier(() -> token);
        }

        /**
         * Where bearer tokens come from: asked once per request and once more after a 401, so a supplier that
         * refreshes an expired token recovers without the engine noticing. It may return null (no header).
         */
        public Builder tokenSupplier(Supplier<String> tokenSupplier) {
            this.tokenSupplier = Objects.requireNonNull(tokenSupplier, "tokenSupplier");
            return this;
        }

        /** The schema version sent as {@code Tether-Schema-Version}; null (default) sends none. */
        public Builder schemaVersion(Integer version) {
            this.schemaVersion = version;
            return this;
        }

        /** Whether to gzip request bodies and accept gzip responses. Default: true. */
        public Builder gzip(boolean gzip) {
            this.gzip = gzip;
            return this;
        }

        /** Attempts per request for retryable failures before giving up to the engine (1..20). Default: 4. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 20) {
                throw new IllegalArgumentException("maxAttempts must be 1..20, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The first and the largest backoff delay between attempts. Default: 200 ms and 5 s. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "initial backoff");
            this.maxBackoff = positive(max, "max backoff");
            return this;
        }

        /** A {@code Retry-After} longer than this is not waited out here but thrown to the engine. Default: 30 s. */
        public Builder maxRetryAfter(Duration max) {
            this.maxRetryAfter = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * The largest response body read, after decompression: a larger one (a broken or hostile hub, a gzip bomb)
         * fails the request instead of filling the heap. Pages hold at most the page size of records, so the
         * default, 256 MiB, only matters for very large records. At least 64 KiB.
         */
        public Builder maxResponseBytes(long bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be at least 65536, was " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /** Seed of the backoff jitter, for repeatable tests. Default: random. */
        public Builder jitterSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The TLS context for https hubs (to trust a private CA). Default: the JVM's. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /** The JSON codec. Default: {@link ProtocolCodec#load()}. */
        public Builder codec(ProtocolCodec codec) {
            this.codec = codec;
            return this;
        }

        public RestTransport build() {
            return new RestTransport(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
