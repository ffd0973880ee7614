package io.tether.sync.websocket;

import io.tether.sync.Subscription;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.ProtocolCodec;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub side of PROTOCOL.md section 7: the live sockets of one hub and the fan-out of its commits to them.
 *
 * <p>Each committed batch is appended once to a bounded {@link LiveLog} on the committing thread (nothing else
 * happens there); pump threads then give every socket the entries its principal may read, each socket within its
 * window of unacknowledged {@code changes} messages. A socket that stops reading or acknowledging holds at most its
 * window; it is closed after {@code stallTimeout}, and one that falls behind the log continues by pulling from the
 * store (or gets {@code resync} when its cursor expired). Both sides ping; a socket silent for {@code pingTimeout}
 * is dropped.
 *
 * <pre>{@code
 * LiveHub live = LiveHub.builder(hub.service()).build().start();
 * TetherServer server = TetherServer.builder().hub(hub.service()).customize(live::mount).build().start();
 * // or, in any Jakarta WebSocket container: serverContainer.addEndpoint(live.endpointConfig());
 * }</pre>
 *
 * Thread-safe. {@link #close} is idempotent, closes every socket with 1001 and ends the hub's threads.
 */
public final class LiveHub implements AutoCloseable {
    /** Where the endpoint is served. */
    public static final String PATH = "/sync/v1/ws";
    private static final System.Logger LOG = System.getLogger(LiveHub.class.getName());

    private final HubService service;
    private final ProtocolCodec codec;
    private final int window;
    private final int pageSize;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration helloTimeout;
    private final Duration stallTimeout;
    private final LiveLog log;
    private final Set<LiveSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean dispatchPending = new AtomicBoolean();
    private final ThreadPoolExecutor pumps;
    private final ScheduledExecutorService timer;
    private final ServerEndpointConfig endpointConfig;
    private volatile boolean started;
    private volatile boolean closed;
    private Subscription commits;

    private LiveHub(Builder b) {
        this.service = b.service;
        this.codec = b.codec != null ? b.codec : ProtocolCodec.load();
        this.window = b.window != null ? b.window : service.limits().liveWindow();
        this.pageSize = b.pageSize != null ? b.pageSize : service.limits().defaultPullLimit();
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.helloTimeout = b.helloTimeout;
        this.stallTimeout = b.stallTimeout;
        this.log = new LiveLog(b.buffered);
        AtomicInteger n = new AtomicInteger();
        this.pumps = new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "tether-ws-pump-" + n.incrementAndGet()));
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "tether-ws-timer"));
        LiveHub self = this;
        this.endpointConfig = ServerEndpointConfig.Builder.create(LiveEndpoint.class, PATH)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
                        if (!endpointClass.isAssignableFrom(LiveEndpoint.class)) {
                            throw new InstantiationException("this configuration creates LiveEndpoint only");
                        }
                        return endpointClass.cast(new LiveEndpoint(self));
                    }
                }).build();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A builder for the live sockets of {@code hub}. */
    public static Builder builder(HubService hub) {
        return new Builder(hub);
    }

    /** Subscribes to the hub's commits and starts the timers. Returns this. Starting twice is harmless. */
    public synchronized LiveHub start() {
        if (closed) {
            throw new IllegalStateException("this live hub is closed");
        }
        if (started) {
            return this;
        }
        HubCursors.check(service);
        commits = service.subscribe(this::onCommit);
        long tick = Math.max(10, Math.min(pingInterval.toMillis(), Math.min(helloTimeout.toMillis(),
                Math.min(pingTimeout.toMillis(), stallTimeout.toMillis())) / 2));
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        started = true;
        return this;
    }

    /** The endpoint configuration of {@value #PATH}, for any Jakarta WebSocket container. */
    public ServerEndpointConfig endpointConfig() {
        return endpointConfig;
    }

    /** Mounts the endpoint on a Jetty ee10 servlet context that has not started yet. */
    public void mount(ServletContextHandler context) {
        JakartaWebSocketServletContainerInitializer.configure(context,
                (servletContext, container) -> container.addEndpoint(endpointConfig));
    }

    /** The endpoint class, for containers that want it. */
    public static Class<? extends Endpoint> endpointClass() {
        return LiveEndpoint.class;
    }

    private void onCommit(List<LogEntry> entries) {
        log.append(entries);
        if (dispatchPending.compareAndSet(false, true)) {
            try {
                pumps.execute(this::dispatch);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                dispatchPending.set(false);
            }
        }
    }

    /** Serves the new entries to every live socket, in as many slices as there are pump threads. */
    private void dispatch() {
        dispatchPending.set(false);
        List<LiveSession> live = new java.util.ArrayList<>(sessions.size());
        for (LiveSession s : sessions) {
            if (s.phase() == LiveSession.Phase.LIVE) {
                live.add(s);
            }
        }
        int slices = Math.max(1, Math.min(pumps.getMaximumPoolSize(), live.size() / 64));
        for (int i = 1; i < slices; i++) {
            List<LiveSession> slice = live.subList(live.size() * i / slices, live.size() * (i + 1) / slices);
            try {
                pumps.execute(() -> slice.forEach(LiveSession::pumpHere));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
        live.subList(0, live.size() / slices).forEach(LiveSession::pumpHere);
    }

    private long lastPing = System.nanoTime();

    private void tick() {
        try {
            long now = System.nanoTime();
            boolean ping = now - lastPing >= pingInterval.toNanos();
            if (ping) {
                lastPing = now;
            }
            for (LiveSession s : sessions) {
                s.tick(now, ping);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "live socket timer failed", e);
        }
    }

    /** Closes every socket now with {@code code} (clients reconnect); for operations and tests. */
    public void dropAll(int code, String reason) {
        for (LiveSession s : sessions) {
            s.closeNow(code, reason);
        }
    }

    boolean register(LiveSession session) {
        if (closed) {
            return false;
        }
        sessions.add(session);
        if (closed) {
            sessions.remove(session);
            return false;
        }
        return true;
    }

    void unregister(LiveSession session) {
        sessions.remove(session);
    }

    /** Open sockets and what they hold, for monitoring and tests. */
    public Stats stats() {
        int live = 0;
        int maxUnacked = 0;
        int maxQueued = 0;
        long chars = 0;
        for (LiveSession s : sessions) {
            if (s.phase() == LiveSession.Phase.LIVE) {
                live++;
            }
            maxUnacked = Math.max(maxUnacked, s.unackedCount());
            maxQueued = Math.max(maxQueued, s.queuedCount());
            chars += s.queuedChars();
        }
        return new Stats(sessions.size(), live, maxUnacked, maxQueued, chars, pumps.getQueue().size());
    }

    /**
     * A snapshot of the live sockets.
     *
     * @param sockets     open sockets
     * @param live        sockets past their catch-up
     * @param maxUnacked  the most unacknowledged {@code changes} messages of one socket (never above the window)
     * @param maxQueued   the most messages one socket has waiting to be written
     * @param queuedChars characters waiting to be written, over all sockets
     * @param pumpBacklog pump runs waiting for a thread
     */
    public record Stats(int sockets, int live, int maxUnacked, int maxQueued, long queuedChars, int pumpBacklog) {
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (commits != null) {
                commits.close();
            }
        }
        for (LiveSession s : sessions) {
            s.closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), "the hub is stopping");
        }
        sessions.clear();
        timer.shutdownNow();
        pumps.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            pumps.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- for sessions

    HubService service() {
        return service;
    }

    ProtocolCodec codec() {
        return codec;
    }

    LiveLog log() {
        return log;
    }

    ExecutorService pumps() {
        return pumps;
    }

    int window() {
        return window;
    }

    /** Messages beyond the window a socket may have waiting (welcome, pushResult, error, resync). */
    int extraQueued() {
        return 16;
    }

    int pageSize() {
        return pageSize;
    }

    int maxMessageChars() {
        return (int) Math.min(Integer.MAX_VALUE - 1024, service.limits().maxPushBytes() + 64 * 1024);
    }

    Duration pingTimeout() {
        return pingTimeout;
    }

    long pingTimeoutNanos() {
        return pingTimeout.toNanos();
    }

    Duration helloTimeout() {
        return helloTimeout;
    }

    long helloTimeoutNanos() {
        return helloTimeout.toNanos();
    }

    Duration stallTimeout() {
        return stallTimeout;
    }

    long stallTimeoutNanos() {
        return stallTimeout.toNanos();
    }

    /**
     * Configures a {@link LiveHub}. Every setter returns this builder; {@code null} means the default.
     */
    public static final class Builder {
        private final HubService service;
        private ProtocolCodec codec;
        private Integer window;
        private Integer pageSize;
        private Duration pingInterval = Duration.ofSeconds(15);
        private Duration pingTimeout = Duration.ofSeconds(45);
        private Duration helloTimeout = Duration.ofSeconds(10);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private int buffered = 10_000;
        private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());

        private Builder(HubService service) {
            this.service = Objects.requireNonNull(service, "hub");
        }

        /** The JSON codec. Default: {@link ProtocolCodec#load()}. */
        public Builder codec(ProtocolCodec codec) {
            this.codec = codec;
            return this;
        }

        /** Unacknowledged {@code changes} messages per socket. Default: the hub's {@code liveWindow} (32). */
        public Builder window(Integer window) {
            if (window != null && window < 1) {
                throw new IllegalArgumentException("window must be positive, was " + window);
            }
            this.window = window;
            return this;
        }

        /** Changes per message. Default: the hub's default pull page size (500). */
        public Builder pageSize(Integer pageSize) {
            if (pageSize != null && pageSize < 1) {
                throw new IllegalArgumentException("pageSize must be positive, was " + pageSize);
            }
            this.pageSize = pageSize;
            return this;
        }

        /** How often the hub pings each socket. Default: 15 s. */
        public Builder pingInterval(Duration d) {
            this.pingInterval = positive(d, "pingInterval", Duration.ofSeconds(15));
            return this;
        }

        /** A socket that sends nothing (not even a pong) this long is dropped. Default: 45 s. */
        public Builder pingTimeout(Duration d) {
            this.pingTimeout = positive(d, "pingTimeout", Duration.ofSeconds(45));
            return this;
        }

        /** A socket that sends no hello this long is closed with 4400. Default: 10 s. */
        public Builder helloTimeout(Duration d) {
            this.helloTimeout = positive(d, "helloTimeout", Duration.ofSeconds(10));
            return this;
        }

        /** A socket whose window stays full this long is closed with 1008. Default: 60 s. */
        public Builder stallTimeout(Duration d) {
            this.stallTimeout = positive(d, "stallTimeout", Duration.ofSeconds(60));
            return this;
        }

        /** Committed entries kept in memory for live sockets. Default: 10,000. */
        public Builder buffered(Integer entries) {
            if (entries != null && entries < 1) {
                throw new IllegalArgumentException("buffered must be positive, was " + entries);
            }
            this.buffered = entries == null ? 10_000 : entries;
            return this;
        }

        /** Threads preparing and sending pages. Default: the number of processors, at least 2. */
        public Builder threads(Integer threads) {
            if (threads != null && threads < 1) {
                throw new IllegalArgumentException("threads must be positive, was " + threads);
            }
            this.threads = threads == null ? Math.max(2, Runtime.getRuntime().availableProcessors()) : threads;
            return this;
        }

        private static Duration positive(Duration d, String what, Duration defaultValue) {
            if (d == null) {
                return defaultValue;
            }
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        public LiveHub build() {
            return new LiveHub(this);
        }
    }
}
