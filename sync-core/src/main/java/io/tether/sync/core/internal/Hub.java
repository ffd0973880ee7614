package io.tether.sync.core.internal;

import io.tether.sync.ChangeListener;
import io.tether.sync.ConfigurationException;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ProblemException;
import io.tether.sync.RecordQuery;
import io.tether.sync.Subscription;
import io.tether.sync.core.HybridClock;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.core.internal.json.JacksonProtocolCodec;
import io.tether.sync.spi.Authenticator;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.PluginConfig;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.ScopePolicy;
import io.tether.sync.spi.SyncPlugin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The hub engine: the store, the protocol logic over it, plugins and periodic compaction. Thread-safe. */
public final class Hub implements HubEngine {
    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final JacksonProtocolCodec CODEC = new JacksonProtocolCodec();

    private final HubStore store;
    private final HubLogic logic;
    private final HybridClock clock;
    private final Hooks hooks = new Hooks();
    private final ChangeBus bus = new ChangeBus();
    private final List<SyncPlugin> plugins;
    private final Map<String, String> properties;
    private final Duration retention;
    private final ScheduledThreadPoolExecutor scheduler;
    /** Reads other hub nodes' commits for live subscribers; apart from the scheduler, so compaction never delays it. */
    private final ScheduledThreadPoolExecutor live;
    /** How often live subscribers are handed what other hub nodes committed to the shared store (0: never). */
    private final Duration nodePollInterval;
    private boolean started;
    private boolean closed;

    Hub(HubBuilder b) {
        this.store = b.store;
        this.properties = Map.copyOf(b.properties);
        EngineSettings settings = new EngineSettings(properties);
        this.retention = settings.duration(b.retention, "retention", Duration.ofDays(30));
        this.plugins = Plugins.resolve(b.plugins, properties, Role.HUB, HubBuilder.ENGINE_KEYS);
        this.clock = new HybridClock(b.nodeId != null ? b.nodeId
                : "hub" + UUID.randomUUID().toString().substring(0, 5));
        b.hooks.forEach(hooks::add);

        this.scheduler = Plugins.scheduler("tether-hub-" + clock.nodeId());
        this.live = Plugins.scheduler("tether-hub-" + clock.nodeId() + "-live");
        this.nodePollInterval = settings.duration(null, "node-poll-interval", Duration.ofMillis(100));
        AtomicReference<Schema> schemaRef = new AtomicReference<>();
        AtomicReference<HubLogic> logicRef = new AtomicReference<>();
        store.open(new CoreStoreContext(Role.HUB, clock,
                name -> Optional.ofNullable(schemaRef.get()).flatMap(s -> s.collection(name)), hooks, bus,
                entries -> whenBuilt(logicRef, l -> l.committed(entries)),
                () -> whenBuilt(logicRef, HubLogic::catchUpSoon), CODEC));
        Schema schema = schema(b, settings);
        schemaRef.set(schema);

        ConflictPolicy defaultPolicy = b.defaultPolicy != null ? b.defaultPolicy
                : ConflictPolicy.fromWire(settings.string("conflict-policy", ConflictPolicy.FIELD_MERGE.wireName()));
        Map<String, ConflictResolver> resolvers = new LinkedHashMap<>();
        for (CollectionSchema c : schema.collections()) {
            String configured = settings.string("conflict-policy." + c.name(), null);
            ConflictPolicy policy = b.policies.getOrDefault(c.name(),
                    configured == null ? defaultPolicy : ConflictPolicy.fromWire(configured));
            resolvers.put(c.name(), b.resolvers.getOrDefault(c.name(), ConflictResolvers.of(policy)));
        }
        for (String name : concat(b.policies.keySet(), b.resolvers.keySet())) {
            if (schema.collection(name).isEmpty()) {
                throw new ConfigurationException("A conflict policy names collection '" + name
                        + "', which is not in the schema.");
            }
        }
        Authenticator authenticator = b.authenticator != null ? b.authenticator : token -> {
            throw new ProblemException(ProblemType.UNAUTHORIZED, "this hub has no authenticator configured");
        };
        this.logic = new HubLogic(store, schema, resolvers::get,
                b.scopePolicy != null ? b.scopePolicy : ScopePolicy.owner(), authenticator,
                b.limits != null ? b.limits : HubLimits.DEFAULT, clock, hooks, live);
        logicRef.set(logic);
    }

    /** What the store reports before the engine is built (while it opens) has no one to go to. */
    private static void whenBuilt(AtomicReference<HubLogic> logic, Consumer<HubLogic> action) {
        HubLogic l = logic.get();
        if (l != null) {
            action.accept(l);
        }
    }

    private static List<String> concat(java.util.Collection<String> a, java.util.Collection<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private Schema schema(HubBuilder b, EngineSettings settings) {
        Map<String, CollectionSchema> all = new LinkedHashMap<>();
        for (CollectionSchema c : store.collections()) {
            all.put(c.name(), c);
        }
        for (CollectionSchema c : b.collections) {
            CollectionSchema known = all.get(c.name());
            if (known != null && !known.equals(c)) {
                throw new ConfigurationException("Collection '" + c.name() + "' is defined twice, differently: "
                        + known + " and " + c);
            }
            all.put(c.name(), c);
        }
        if (all.isEmpty()) {
            throw new ConfigurationException("The hub has no collections: add them with collection(...) or use a "
                    + "store that provides them (plugin-jpa reads them from @Synced entities).");
        }
        int version = b.schemaVersion != null ? b.schemaVersion
                : settings.integer(null, "schema-version", 1, Integer.MAX_VALUE);
        return new Schema(version, List.copyOf(all.values()));
    }

    @Override
    public synchronized HubEngine start() {
        if (closed) {
            throw new IllegalStateException("this hub engine is closed");
        }
        if (started) {
            return this;
        }
        Plugins.startAll(plugins, plugin -> new CorePluginContext(Role.HUB,
                PluginConfig.of(plugin.name(), properties), bus, logic.schema(), hooks, store, scheduler, clock, CODEC,
                Optional.of(logic), transport -> {
                }, () -> {
                }));
        long period = Math.max(60_000, Math.min(3_600_000, retention.toMillis() / 4));
        scheduler.scheduleWithFixedDelay(this::compactQuietly, period, period, TimeUnit.MILLISECONDS);
        if (!nodePollInterval.isZero()) {
            long poll = Math.max(1, nodePollInterval.toMillis());
            live.scheduleWithFixedDelay(logic::catchUp, poll, poll, TimeUnit.MILLISECONDS);
        }
        started = true;
        return this;
    }

    private void compactQuietly() {
        try {
            compact();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "change-log compaction failed", e);
        }
    }

    @Override
    public HubService service() {
        return logic;
    }

    @Override
    public RecordQuery records() {
        return store;
    }

    @Override
    public Subscription onChange(ChangeListener listener) {
        return bus.subscribe(listener);
    }

    @Override
    public long compact() {
        return store.compact(Instant.now().minus(retention));
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        scheduler.shutdownNow();
        live.shutdownNow();
        Plugins.stopAll(plugins);
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            live.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
