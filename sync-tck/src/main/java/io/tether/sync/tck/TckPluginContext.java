package io.tether.sync.tck;

import io.tether.sync.ChangeListener;
import io.tether.sync.ConfigurationException;
import io.tether.sync.ProblemException;
import io.tether.sync.RecordQuery;
import io.tether.sync.Subscription;
import io.tether.sync.SyncRecord;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PersistenceHook;
import io.tether.sync.spi.PluginConfig;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.ProtocolCodec;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncClock;
import io.tether.sync.spi.SyncTransport;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The context the {@link PluginKit} starts a plugin with: the {@link TckSchema}, an empty store, a scheduler the
 * kit shuts down, and on a hub either a real {@link HubService} or one that refuses every request. Thread-safe.
 */
public final class TckPluginContext implements PluginContext, AutoCloseable {
    private final Role role;
    private final PluginConfig config;
    private final HubService hub;
    private final SyncClock clock = new TckClock("tckplugin");
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final List<PersistenceHook> hooks = new CopyOnWriteArrayList<>();
    private final AtomicInteger syncRequests = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tck-engine-scheduler");
        t.setDaemon(true);
        return t;
    });
    private volatile SyncTransport transport;

    /**
     * @param role       the engine's role
     * @param pluginName the plugin's name
     * @param properties every engine property; the plugin sees those under {@code tether.<pluginName>.}
     * @param hub        on a hub, the protocol logic to offer; null offers one that refuses everything
     */
    public TckPluginContext(Role role, String pluginName, Map<String, String> properties, HubService hub) {
        this.role = role;
        this.config = PluginConfig.of(pluginName, properties);
        this.hub = role == Role.HUB ? (hub != null ? hub : new RefusingHub()) : null;
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public Subscription onChange(ChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public Schema schema() {
        return TckSchema.SCHEMA;
    }

    @Override
    public Subscription addHook(PersistenceHook hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    @Override
    public RecordQuery records() {
        return new RecordQuery() {
            @Override
            public Optional<SyncRecord> get(String collection, String id) {
                return Optional.empty();
            }

            @Override
            public List<SyncRecord> list(String collection) {
                return List.of();
            }
        };
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public SyncClock clock() {
        return clock;
    }

    @Override
    public ProtocolCodec codec() {
        return ProtocolCodec.load();
    }

    @Override
    public Optional<HubService> hub() {
        return Optional.ofNullable(hub);
    }

    @Override
    public synchronized void useTransport(SyncTransport transport) {
        if (role != Role.REPLICA) {
            throw new ConfigurationException("a hub has no transport to install");
        }
        if (this.transport != null) {
            throw new ConfigurationException("another plugin already installed a transport");
        }
        this.transport = transport;
    }

    @Override
    public void requestSync() {
        syncRequests.incrementAndGet();
    }

    /** The transport a plugin installed, or null. */
    public SyncTransport transport() {
        return transport;
    }

    /** Listeners and hooks the plugin still holds. */
    public int registrations() {
        return listeners.size() + hooks.size();
    }

    /** Shuts the scheduler down, as an engine does when it closes. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A hub that refuses every request: enough for plugins that only start and stop. */
    private static final class RefusingHub implements HubService {
        private static ProblemException refused() {
            return new ProblemException(ProblemType.UNAUTHORIZED, "the TCK's plugin context serves no requests");
        }

        @Override
        public Principal authenticate(String bearerToken) {
            throw refused();
        }

        @Override
        public void checkSchemaVersion(Integer replicaVersion) {
        }

        @Override
        public PushResponse push(Principal principal, PushRequest request) {
            throw refused();
        }

        @Override
        public PullResponse pull(Principal principal, PullRequest request) {
            throw refused();
        }

        @Override
        public Schema schema() {
            return TckSchema.SCHEMA;
        }

        @Override
        public HubLimits limits() {
            return HubLimits.DEFAULT;
        }

        @Override
        public Subscription subscribe(CommitListener listener) {
            return () -> { };
        }

        @Override
        public boolean mayRead(Principal principal, LogEntry entry) {
            return false;
        }

        @Override
        public String cursorAt(long version) {
            return "seq:" + version;
        }
    }
}
