package io.tether.sync.websocket;

import io.tether.sync.ConfigurationException;
import io.tether.sync.ProblemException;
import io.tether.sync.Subscription;
import io.tether.sync.TransportException;
import io.tether.sync.spi.LiveMessage;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.ProtocolCodec;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The replica side of PROTOCOL.md section 7 on {@code java.net.http.WebSocket}.
 *
 * <ul>
 *   <li>{@link #subscribe}: connects, sends {@code hello} with the engine's cursor, hands catch-up pages and then
 *       live pages to the listener in order on one delivery thread, and acknowledges each page after the listener
 *       returned (so the hub's window counts applied pages). After any failure it reconnects with exponential
 *       backoff and full jitter, from the cursor of the last page the listener applied; the engine's REST path
 *       keeps working meanwhile (a sync is requested at each disconnect). {@code 4401}, {@code 4409} and
 *       {@code 4400} end the subscription with {@code onClosed(ProblemException)}; {@code resync} calls
 *       {@code onResync} and ends it.</li>
 *   <li>{@link #push}: over the socket while it is open and the request's client id is the one the socket said
 *       hello with (the hub applies socket pushes under that id); otherwise, and whenever the socket fails
 *       mid-push, through the delegate (the hub's dedup makes the second attempt safe).</li>
 *   <li>{@link #pull} and {@link #schema}: through the delegate, normally a {@code RestTransport}.</li>
 * </ul>
 *
 * Thread-safe. {@link #close} ends every subscription and thread, and closes the delegate.
 */
public final class WebSocketTransport implements SyncTransport {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());
    private static final int MAX_SOCKET_PUSH_CHARS = 1 << 20;

    private final Builder config;
    private final ProtocolCodec codec;
    private final ExecutorService executor;
    /** Null once closed, so that on Java 17 (no {@code HttpClient.close()}) the client and its selector thread go. */
    private volatile HttpClient client;
    private final ScheduledThreadPoolExecutor timer;
    private final Random random;
    private final String fallbackClientId = UUID.randomUUID().toString();
    private final Set<Live> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object pushLock = new Object();
    private final java.util.concurrent.atomic.AtomicLong socketPushes = new java.util.concurrent.atomic.AtomicLong();

    private WebSocketTransport(Builder b) {
        this.config = b;
        this.codec = b.codec != null ? b.codec : ProtocolCodec.load();
        this.random = b.seed == null ? new Random() : new Random(b.seed);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> daemon(r, "tether-ws-client-" + n.incrementAndGet()));
        this.client = HttpClient.newBuilder().connectTimeout(b.connectTimeout).executor(executor).build();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "tether-ws-client-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * A builder for a transport to the endpoint {@code endpoint} ({@code ws://host:port/sync/v1/ws}) that pulls and
     * falls back through {@code delegate}.
     */
    public static Builder builder(URI endpoint, SyncTransport delegate) {
        return new Builder(endpoint, delegate);
    }

    /** The socket endpoint. */
    public URI endpoint() {
        return config.endpoint;
    }

    /** Whether a socket is open and past its hello (for status and tests). */
    public boolean connected() {
        for (Live s : subscriptions) {
            Connection c = s.connection;
            if (c != null && c.welcomed && !c.done.get()) {
                return true;
            }
        }
        return false;
    }

    /** How many pushes were answered over the socket (the rest went through the delegate). */
    public long socketPushes() {
        return socketPushes.get();
    }

    @Override
    public PushResponse push(PushRequest request) {
        if (config.pushOverSocket) {
            Connection c = socketFor(request.clientId());
            if (c != null) {
                String text = codec.writeLiveMessage(new LiveMessage.Push(UUID.randomUUID().toString(),
                        request.changes()));
                if (text.length() <= MAX_SOCKET_PUSH_CHARS) {
                    try {
                        PushResponse response = c.push(text);
                        socketPushes.incrementAndGet();
                        return response;
                    } catch (TransportException e) {
                        LOG.log(System.Logger.Level.DEBUG, "push over the socket failed; sending it over HTTP", e);
                    }
                }
            }
        }
        return config.delegate.push(request);
    }

    private Connection socketFor(String clientId) {
        for (Live s : subscriptions) {
            Connection c = s.connection;
            if (c != null && c.welcomed && !c.done.get() && s.clientId.equals(clientId)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public PullResponse pull(PullRequest request) {
        return config.delegate.pull(request);
    }

    @Override
    public Schema schema() {
        return config.delegate.schema();
    }

    @Override
    public boolean supportsLive() {
        return true;
    }

    @Override
    public Subscription subscribe(String cursor, LiveListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new IllegalStateException("this transport is closed");
        }
        String clientId = config.clientId.get();
        Live live = new Live(cursor, listener, clientId == null ? fallbackClientId : clientId);
        subscriptions.add(live);
        live.connect();
        return live;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            subscriptions.forEach(Live::close);
            timer.shutdownNow();
            HttpClient http = client;
            client = null;
            if (http instanceof AutoCloseable closeable) { // Java 21+
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // nothing the caller could act on
                }
            }
            executor.shutdownNow();
            config.delegate.close();
        }
    }

    private Duration backoff(int attempt) {
        double cap = Math.min(config.reconnectMax.toMillis(),
                config.reconnectInitial.toMillis() * Math.pow(2, Math.min(attempt, 30)));
        synchronized (random) {
            return Duration.ofMillis((long) (random.nextDouble() * cap));
        }
    }

    /** One live subscription: a sequence of connections until it is closed, resynced or refused. */
    private final class Live implements Subscription {
        private final LiveListener listener;
        private final String clientId;
        private final ExecutorService delivery;
        private final ScheduledFuture<?> pinger;
        private volatile String cursor;
        private volatile boolean closed;
        private volatile boolean finished;
        private volatile Connection connection;
        private int attempts;

        Live(String cursor, LiveListener listener, String clientId) {
            this.cursor = cursor;
            this.listener = listener;
            this.clientId = clientId;
            this.delivery = Executors.newSingleThreadExecutor(r -> daemon(r, "tether-ws-delivery"));
            long every = config.pingInterval.toMillis();
            this.pinger = timer.scheduleWithFixedDelay(this::ping, every, every, TimeUnit.MILLISECONDS);
        }

        void connect() {
            if (closed || finished) {
                return;
            }
            HttpClient http = client;
            if (http == null) {
                return;
            }
            Connection c = new Connection(this);
            connection = c;
            try {
                http.newWebSocketBuilder().connectTimeout(config.connectTimeout).buildAsync(config.endpoint, c)
                        .whenComplete((ws, error) -> {
                            if (error != null) {
                                c.lost(error, -1, null);
                            }
                        });
            } catch (RuntimeException e) {
                c.lost(e, -1, null);
            }
        }

        private void ping() {
            Connection c = connection;
            if (c == null || c.ws == null || c.done.get()) {
                return;
            }
            if (System.nanoTime() - c.lastHeard > config.pingTimeout.toNanos()) {
                c.abort(new TransportException("the hub sent nothing for " + config.pingTimeout, true));
                return;
            }
            try {
                c.ws.sendPing(ByteBuffer.allocate(0));
            } catch (IllegalStateException e) {
                // a ping is still outstanding; the timeout above catches a dead peer
            }
        }

        void deliver(Connection c, LiveMessage.Changes changes) {
            if (closed || finished) {
                return;
            }
            try {
                listener.onPage(new PullResponse(changes.changes(), changes.cursor(), changes.hasMore()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "applying a live page failed; reconnecting", e);
                c.abort(e);
                return;
            }
            cursor = changes.cursor();
            if (!c.done.get()) {
                c.send(codec.writeLiveMessage(new LiveMessage.Ack(changes.cursor())));
            }
        }

        /** After a connection ended: on the delivery thread, so every page received before is applied first. */
        void reconnectLater() {
            if (closed || finished) {
                return;
            }
            Duration delay = backoff(attempts++);
            try {
                timer.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the transport is closing
            }
        }

        void end(Throwable error) {
            if (closed || finished) {
                return;
            }
            finished = true;
            subscriptions.remove(this);
            pinger.cancel(false);
            listener.onClosed(error);
            delivery.shutdown();
        }

        void onDelivery(Runnable task) {
            try {
                delivery.execute(task);
            } catch (RejectedExecutionException e) {
                // closed: nothing more is delivered
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            subscriptions.remove(this);
            pinger.cancel(false);
            Connection c = connection;
            if (c != null) {
                c.shutdown();
            }
            delivery.shutdown();
        }
    }

    /** One socket of a subscription. */
    private final class Connection implements WebSocket.Listener {
        private final Live live;
        private final AtomicBoolean done = new AtomicBoolean();
        private final StringBuilder parts = new StringBuilder();
        private volatile WebSocket ws;
        private volatile boolean welcomed;
        private volatile long lastHeard = System.nanoTime();
        private volatile Problem lastProblem;
        private volatile Pending pending;
        private CompletableFuture<WebSocket> sends = CompletableFuture.completedFuture(null);

        Connection(Live live) {
            this.live = live;
        }

        @Override
        public void onOpen(WebSocket socket) {
            ws = socket;
            lastHeard = System.nanoTime();
            String token = config.token.get();
            Integer schemaVersion = config.schemaVersion;
            send(codec.writeLiveMessage(new LiveMessage.Hello(live.clientId, token == null ? "" : token, live.cursor,
                    schemaVersion)));
            socket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            lastHeard = System.nanoTime();
            if ((long) parts.length() + data.length() > config.maxMessageChars) {
                parts.setLength(0);
                abort(new TransportException("the hub sent a message longer than " + config.maxMessageChars
                        + " characters (WebSocketTransport.Builder.maxMessageChars); reconnecting", true));
                return null;
            }
            parts.append(data);
            if (last) {
                String text = parts.toString();
                parts.setLength(0);
                handle(text);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            lastHeard = System.nanoTime();
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket socket, ByteBuffer message) {
            lastHeard = System.nanoTime();
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket socket, ByteBuffer message) {
            lastHeard = System.nanoTime();
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            lost(null, statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            lost(error, -1, null);
        }

        private void handle(String text) {
            LiveMessage message;
            try {
                message = codec.readLiveMessage(text);
            } catch (ProblemException e) {
                abort(new TransportException("the hub sent a malformed message: " + e.getMessage(), true, null, e));
                return;
            }
            if (message instanceof LiveMessage.Welcome) {
                welcomed = true;
                live.onDelivery(() -> live.attempts = 0);
            } else if (message instanceof LiveMessage.Changes changes) {
                live.onDelivery(() -> live.deliver(this, changes));
            } else if (message instanceof LiveMessage.PushResult result) {
                Pending p = pending;
                if (p != null && p.requestId.equals(result.requestId())) {
                    p.future.complete(new PushResponse(result.results(), result.cursor()));
                }
            } else if (message instanceof LiveMessage.Error error) {
                lastProblem = error.problem();
                Pending p = pending;
                if (p != null) {
                    p.future.completeExceptionally(new ProblemException(error.problem()));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "the hub reported a problem on the live socket: "
                            + error.problem().type().wireName() + ": " + error.problem().detail());
                }
            } else if (message instanceof LiveMessage.Resync) {
                live.onDelivery(() -> {
                    if (!live.closed && !live.finished) {
                        live.finished = true;
                        subscriptions.remove(live);
                        live.pinger.cancel(false);
                        live.listener.onResync();
                    }
                });
                shutdown();
            }
        }

        synchronized void send(String text) {
            WebSocket socket = ws;
            sends = sends.handle((r, e) -> null).thenCompose(x -> socket.sendText(text, true));
            sends.whenComplete((r, e) -> {
                if (e != null) {
                    abort(e);
                }
            });
        }

        PushResponse push(String text) {
            synchronized (pushLock) {
                LiveMessage.Push message = (LiveMessage.Push) codec.readLiveMessage(text);
                Pending p = new Pending(message.requestId(), new CompletableFuture<>());
                pending = p;
                try {
                    if (done.get()) {
                        throw new TransportException("the socket closed", true);
                    }
                    send(text);
                    return p.future.get(config.pushTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof ProblemException problem) {
                        throw new ProblemException(problem.problem());
                    }
                    throw new TransportException("push over the socket failed: " + e.getCause(), true, null,
                            e.getCause());
                } catch (TimeoutException e) {
                    throw new TransportException("no pushResult within " + config.pushTimeout, true, null, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TransportException("interrupted while pushing", true, null, e);
                } finally {
                    pending = null;
                }
            }
        }

        void abort(Throwable error) {
            WebSocket socket = ws;
            if (socket != null) {
                socket.abort();
            }
            lost(error, -1, null);
        }

        /** Closes on purpose: no reconnect from here. */
        void shutdown() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            welcomed = false;
            failPending(new TransportException("the subscription closed", true));
            WebSocket socket = ws;
            if (socket != null) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((r, e) -> socket.abort());
            }
        }

        void lost(Throwable error, int code, String reason) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            welcomed = false;
            WebSocket socket = ws;
            if (socket != null && code >= 0) {
                socket.abort();
            }
            failPending(new TransportException("the live socket closed", true, null, error));
            if (live.closed || live.finished || closed.get()) {
                return;
            }
            if (code == 4401 || code == 4409 || code == 4400) {
                Problem problem = lastProblem;
                ProblemException failure = new ProblemException(problem != null ? problem : Problem.of(
                        code == 4401 ? ProblemType.UNAUTHORIZED : code == 4409 ? ProblemType.SCHEMA_MISMATCH
                                : ProblemType.BAD_REQUEST, "the hub closed the live socket with " + code + ": "
                                + reason));
                live.onDelivery(() -> live.end(failure));
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "live socket lost (" + (error != null ? error : code + " " + reason)
                    + "); reconnecting");
            try {
                executor.execute(config.onDisconnect);
            } catch (RejectedExecutionException e) {
                return;
            }
            live.onDelivery(live::reconnectLater);
        }

        private void failPending(TransportException e) {
            Pending p = pending;
            if (p != null) {
                p.future.completeExceptionally(e);
            }
        }
    }

    private record Pending(String requestId, CompletableFuture<PushResponse> future) {
    }

    /** Configures a {@link WebSocketTransport}. The endpoint and the delegate are required. */
    public static final class Builder {
        private final URI endpoint;
        private final SyncTransport delegate;
        private ProtocolCodec codec;
        private Supplier<String> token = () -> null;
        private Supplier<String> clientId = () -> null;
        private Integer schemaVersion;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration pushTimeout = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(15);
        private Duration pingTimeout = Duration.ofSeconds(45);
        private Duration reconnectInitial = Duration.ofMillis(500);
        private Duration reconnectMax = Duration.ofSeconds(30);
        private boolean pushOverSocket = true;
        private long maxMessageChars = 256L * 1024 * 1024;
        private Runnable onDisconnect = () -> {
        };
        private Long seed;

        private Builder(URI endpoint, SyncTransport delegate) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            String scheme = endpoint.getScheme();
            if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
                throw new ConfigurationException("The socket endpoint must be a ws:// or wss:// URL, was '" + endpoint
                        + "'.");
            }
        }

        /** The JSON codec. Default: {@link ProtocolCodec#load()}. */
        public Builder codec(ProtocolCodec codec) {
            this.codec = codec;
            return this;
        }

        /** A fixed bearer token for {@code hello}. */
        public Builder token(String token) {
            return tokenSupplier(() -> token);
        }

        /** Asked for a token at every connect. */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.token = Objects.requireNonNull(supplier, "supplier");
            return this;
        }

        /**
         * The replica's client id, sent in {@code hello}; pushes with this client id go over the socket. Default
         * (supplier answers null): a random id, and pushes go through the delegate.
         */
        public Builder clientId(Supplier<String> supplier) {
            this.clientId = Objects.requireNonNull(supplier, "supplier");
            return this;
        }

        /** The replica's schema version sent in {@code hello}. Default: none. */
        public Builder schemaVersion(Integer version) {
            this.schemaVersion = version;
            return this;
        }

        /** Default: 10 s. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** How long a push over the socket waits for its pushResult before going through the delegate. Default 30 s. */
        public Builder pushTimeout(Duration d) {
            this.pushTimeout = positive(d, "pushTimeout");
            return this;
        }

        /** Default: 15 s. */
        public Builder pingInterval(Duration d) {
            this.pingInterval = positive(d, "pingInterval");
            return this;
        }

        /** A hub silent this long is dropped and the socket reconnected. Default: 45 s. */
        public Builder pingTimeout(Duration d) {
            this.pingTimeout = positive(d, "pingTimeout");
            return this;
        }

        /** Reconnect delays: full jitter under {@code initial * 2^attempt}, capped at {@code max}. Default 500 ms, 30 s. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            this.reconnectInitial = positive(initial, "initial");
            this.reconnectMax = positive(max, "max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
            }
            return this;
        }

        /**
         * The longest message read from the hub: a longer one (a broken or hostile hub) drops the socket instead of
         * filling the heap, and the replica goes on over the delegate until it reconnects. Default: 256 Mi
         * characters; at least 64 Ki.
         */
        public Builder maxMessageChars(long chars) {
            if (chars < 64 * 1024) {
                throw new IllegalArgumentException("maxMessageChars must be at least 65536, was " + chars);
            }
            this.maxMessageChars = chars;
            return this;
        }

        /** Whether pushes go over the open socket. Default: true. */
        public Builder pushOverSocket(boolean enabled) {
            this.pushOverSocket = enabled;
            return this;
        }

        /** Run (on a client thread) each time a socket is lost; the plugin asks the engine for a sync here. */
        public Builder onDisconnect(Runnable action) {
            this.onDisconnect = Objects.requireNonNull(action, "action");
            return this;
        }

        /** Seeds the reconnect jitter, for tests. */
        public Builder jitterSeed(long seed) {
            this.seed = seed;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        public WebSocketTransport build() {
            return new WebSocketTransport(this);
        }
    }
}
