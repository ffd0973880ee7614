package io.tether.sync.core.internal;

import io.tether.sync.ChangeListener;
import io.tether.sync.Conflict;
import io.tether.sync.ConfigurationException;
import io.tether.sync.ConflictQueue;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.RecordQuery;
import io.tether.sync.RejectedChange;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Subscription;
import io.tether.sync.SyncException;
import io.tether.sync.SyncListener;
import io.tether.sync.SyncReport;
import io.tether.sync.SyncStatus;
import io.tether.sync.TransportException;
import io.tether.sync.core.HybridClock;
import io.tether.sync.core.internal.json.JacksonProtocolCodec;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PluginConfig;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncPlugin;
import io.tether.sync.spi.SyncTransport;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The replica engine: owns the scheduler, the plugins and the sync state around {@link ReplicaSync}.
 * Thread-safe; cycles are serialized by one lock.
 */
public final class Replica implements ReplicaEngine {
    private static final System.Logger LOG = System.getLogger(Replica.class.getName());
    private static final JacksonProtocolCodec CODEC = new JacksonProtocolCodec();

    private final ReplicaStore store;
    private final Schema schema;
    private final HybridClock clock;
    private final Hooks hooks = new Hooks();
    private final ChangeBus bus = new ChangeBus();
    private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();
    private final List<SyncPlugin> plugins;
    private final Map<String, String> properties;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService storeWorker;
    private final ReentrantLock cycleLock = new ReentrantLock();
    private final ReplicaSync sync;
    private final Backoff backoff;
    private final Duration pollInterval;
    private final Duration debounce;
    private final ConflictQueue conflicts = new Conflicts();

    private volatile SyncTransport transport;
    private volatile boolean uploadsPaused;
    private volatile boolean downloadsPaused;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile Instant lastSuccess;
    private volatile String lastError;
    private volatile Subscription live;
    /** Whether the open subscription's pages are to be applied; cleared when it is closed. */
    private volatile AtomicBoolean liveCurrent = new AtomicBoolean();
    private CompletableFuture<SyncReport> queued;
    private ScheduledFuture<?> debounced;
    private ScheduledFuture<?> retry;

    Replica(ReplicaBuilder b) {
        this.store = b.store;
        this.schema = b.schema;
        this.properties = Map.copyOf(b.properties);
        EngineSettings settings = new EngineSettings(properties);
        this.pollInterval = settings.duration(b.pollInterval, "poll-interval", Duration.ofSeconds(30));
        this.debounce = settings.duration(b.debounce, "debounce", Duration.ofMillis(500));
        Duration retryInitial = settings.duration(b.retryInitial, "retry-initial", Duration.ofSeconds(1));
        Duration retryMax = settings.duration(b.retryMax, "retry-max", Duration.ofMinutes(5));
        this.backoff = new Backoff(retryInitial, retryMax, b.jitterSeed == null ? new Random() : new Random(b.jitterSeed));
        int pushBatch = settings.integer(b.pushBatchSize, "push-batch-size", 500, 1000);
        int pullPage = settings.integer(b.pullPageSize, "pull-page-size", 500, 5000);
        this.plugins = Plugins.resolve(b.plugins, properties, Role.REPLICA, ReplicaBuilder.ENGINE_KEYS);
        this.transport = b.transport;
        b.hooks.forEach(hooks::add);
        this.clock = new HybridClock(nodeId(store.clientId()));
        store.open(new CoreStoreContext(Role.REPLICA, clock, this::collection, hooks, bus, entries -> {
        }, () -> {
        }, CODEC));
        this.storeWorker = Plugins.worker("tether-replica-" + nodeId(store.clientId()) + "-store");
        this.sync = new ReplicaSync(store, clock, pushBatch, pullPage, this::conflictArrived, this::rejectionArrived,
                storeWorker);
        this.scheduler = Plugins.scheduler("tether-replica-" + nodeId(store.clientId()));
        bus.subscribe(this::afterLocalWrite);
    }

    private static String nodeId(String clientId) {
        String compact = clientId.replaceAll("[^A-Za-z0-9]", "");
        return compact.isEmpty() ? "replica" : compact.substring(0, Math.min(8, compact.length()));
    }

    private Optional<CollectionSchema> collection(String name) {
        return schema == null ? Optional.empty() : schema.collection(name);
    }

    // ---- lifecycle

    @Override
    public synchronized ReplicaEngine start() {
        if (closed) {
            throw new IllegalStateException("this replica engine is closed");
        }
        if (started) {
            return this;
        }
        Plugins.startAll(plugins, plugin -> new CorePluginContext(Role.REPLICA,
                PluginConfig.of(plugin.name(), properties), bus, schema, hooks, store, scheduler, clock, CODEC,
                Optional.empty(), this::installTransport, () -> requestSync()));
        if (transport == null) {
            Plugins.stopAll(plugins);
            throw new ConfigurationException("A replica needs a transport: pass one with transport(...) or enable a "
                    + "transport plugin, for example plugin(\"rest\") with tether.rest.url.");
        }
        started = true;
        if (!pollInterval.isZero()) {
            scheduler.scheduleWithFixedDelay(this::requestSync, pollInterval.toMillis(), pollInterval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private synchronized void installTransport(SyncTransport t) {
        if (transport != null && transport != t) {
            throw new ConfigurationException("Two transports for one replica: a plugin installed "
                    + t.getClass().getName() + " but " + transport.getClass().getName() + " is already set.");
        }
        transport = t;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeLive();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cycleLock.lock();
        cycleLock.unlock();
        storeWorker.shutdown(); // idle: a cycle waits for its store work before it ends
        Plugins.stopAll(plugins);
    }

    // ---- sync cycles

    @Override
    public SyncReport syncNow() {
        checkRunning();
        return runCycle();
    }

    private void checkRunning() {
        if (closed) {
            throw new IllegalStateException("this replica engine is closed");
        }
        if (!started) {
            throw new IllegalStateException("start() the replica engine before syncing");
        }
    }

    private SyncReport runCycle() {
        cycleLock.lock();
        try {
            SyncReport report = sync.cycle(transport, !uploadsPaused, !downloadsPaused);
            lastSuccess = Instant.now();
            lastError = null;
            backoff.reset();
            listeners.forEach(l -> l.onSynced(report));
            openLive();
            return report;
        } catch (SyncException e) {
            lastError = e.getMessage();
            boolean retrying = retryable(e) && !closed;
            listeners.forEach(l -> l.onError(e, retrying));
            if (retrying) {
                scheduleRetry(e instanceof TransportException t ? t.retryAfter().orElse(null) : null);
            }
            throw e;
        } finally {
            cycleLock.unlock();
        }
    }

    private static boolean retryable(SyncException e) {
        return e instanceof TransportException t ? t.retryable() : !(e instanceof ConfigurationException);
    }

    private synchronized void scheduleRetry(Duration hint) {
        if (closed || (retry != null && !retry.isDone())) {
            return;
        }
        Duration delay = backoff.next(hint);
        retry = scheduler.schedule(this::requestSync, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized CompletableFuture<SyncReport> requestSync() {
        if (closed || !started) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    closed ? "this replica engine is closed" : "start() the replica engine before syncing"));
        }
        if (queued != null) {
            return queued;
        }
        CompletableFuture<SyncReport> future = new CompletableFuture<>();
        queued = future;
        scheduler.execute(() -> {
            synchronized (this) {
                queued = null;
            }
            try {
                future.complete(runCycle());
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private void afterLocalWrite(io.tether.sync.ChangeBatch batch) {
        if (batch.origin() != Origin.LOCAL || debounce.isZero() || !started || closed) {
            return;
        }
        synchronized (this) {
            if (debounced != null) {
                debounced.cancel(false);
            }
            debounced = scheduler.schedule(this::requestSync, debounce.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    // ---- live delivery

    private void openLive() {
        SyncTransport t = transport;
        if (live != null || downloadsPaused || closed || !t.supportsLive()) {
            return;
        }
        AtomicBoolean current = new AtomicBoolean(true);
        liveCurrent = current;
        live = t.subscribe(store.cursor().orElse(null), new SyncTransport.LiveListener() {
            @Override
            public void onPage(PullResponse page) {
                cycleLock.lock();
                try {
                    if (current.get()) { // a page on its way when the subscription closed is not applied
                        sync.apply(page);
                    }
                } finally {
                    cycleLock.unlock();
                }
            }

            @Override
            public void onResync() {
                // the cursor stays: the pull that follows meets the same cursor-expired, which says whether the hub
                // lost versions this replica holds, and runs the initial sync
                closeLive();
                requestSync();
            }

            @Override
            public void onClosed(Throwable error) {
                live = null;
                if (error != null && !closed) {
                    lastError = "live subscription lost: " + error.getMessage();
                    scheduleRetry(null);
                }
            }
        });
    }

    private void closeLive() {
        liveCurrent.set(false);
        Subscription s = live;
        live = null;
        if (s != null) {
            s.close();
        }
    }

    // ---- status and control

    @Override
    public SyncStatus status() {
        return new SyncStatus(store.outboxCount(EnumSet.allOf(OutboxState.class)),
                store.outboxCount(EnumSet.of(OutboxState.REJECTED)), store.outboxCount(EnumSet.of(OutboxState.CONFLICT)),
                lastSuccess, lastError, store.cursor().orElse(null), uploadsPaused, downloadsPaused, live != null);
    }

    @Override
    public void pauseUploads() {
        uploadsPaused = true;
    }

    @Override
    public void resumeUploads() {
        uploadsPaused = false;
    }

    @Override
    public void pauseDownloads() {
        downloadsPaused = true;
        closeLive();
    }

    @Override
    public void resumeDownloads() {
        downloadsPaused = false;
    }

    @Override
    public Subscription onChange(ChangeListener listener) {
        return bus.subscribe(listener);
    }

    @Override
    public Subscription addSyncListener(SyncListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    private void conflictArrived(Conflict conflict) {
        listeners.forEach(l -> l.onConflict(conflict));
    }

    private void rejectionArrived(RejectedChange rejected) {
        listeners.forEach(l -> l.onRejected(rejected));
    }

    @Override
    public ConflictQueue conflicts() {
        return conflicts;
    }

    @Override
    public List<RejectedChange> rejected() {
        return store.outbox(EnumSet.of(OutboxState.REJECTED), Integer.MAX_VALUE).stream()
                .map(e -> ReplicaSync.toRejected(e, e.parked().reason(), e.parked().message())).toList();
    }

    @Override
    public void retry(RejectedChange rejected) {
        updateParked(rejected.collection(), rejected.id(), rejected.changeId(), OutboxState.REJECTED, (tx, e) ->
                tx.saveOutbox(e.withState(OutboxState.PENDING, null)));
        requestSyncIfRunning();
    }

    /**
     * Removes the rejected change; when no other change of its record is left to push, the next pull is an initial
     * sync (the cursor is dropped in the same transaction), which brings the record back to the hub's state or
     * removes it where the hub does not have it. The protocol has no way to fetch one record.
     */
    @Override
    public void dismiss(RejectedChange rejected) {
        AtomicBoolean resync = new AtomicBoolean();
        cycleLock.lock();
        try {
            updateParked(rejected.collection(), rejected.id(), rejected.changeId(), OutboxState.REJECTED, (tx, e) -> {
                tx.removeOutbox(e.sequence());
                if (tx.outboxFor(e.collection(), e.id()).isEmpty()) {
                    tx.setCursor(null);
                    resync.set(true);
                }
            });
            if (resync.get()) {
                closeLive(); // its next page would set a cursor again; the next cycle opens it after the resync
            }
        } finally {
            cycleLock.unlock();
        }
        requestSyncIfRunning();
    }

    private void updateParked(String collection, String id, String changeId, OutboxState state,
                              java.util.function.BiConsumer<io.tether.sync.spi.ReplicaTransaction, OutboxEntry> action) {
        cycleLock.lock();
        try {
            store.inTransaction(tx -> {
                OutboxEntry entry = tx.outboxFor(collection, id).stream()
                        .filter(e -> e.changeId().equals(changeId) && e.state() == state).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("change " + changeId + " of '" + collection
                                + "/" + id + "' is not " + state.name().toLowerCase() + " any more"));
                action.accept(tx, entry);
                return null;
            });
        } finally {
            cycleLock.unlock();
        }
    }

    private void requestSyncIfRunning() {
        if (started && !closed) {
            requestSync();
        }
    }

    @Override
    public RecordQuery records() {
        return store;
    }

    @Override
    public String clientId() {
        return store.clientId();
    }

    /** The manual-conflict queue over the outbox's CONFLICT entries. */
    private final class Conflicts implements ConflictQueue {
        @Override
        public List<Conflict> list() {
            return store.outbox(EnumSet.of(OutboxState.CONFLICT), Integer.MAX_VALUE).stream()
                    .map(ReplicaSync::conflictOf).toList();
        }

        @Override
        public void acceptHub(Conflict c) {
            updateParked(c.collection(), c.id(), c.changeId(), OutboxState.CONFLICT, (tx, e) ->
                    ReplicaSync.resolveEntry(tx, e, e.parked().hubVersion(), e.parked().hubData()));
        }

        @Override
        public void keepLocal(Conflict c) {
            updateParked(c.collection(), c.id(), c.changeId(), OutboxState.CONFLICT, (tx, e) -> {
                LocalRecord local = tx.read(c.collection(), c.id()).orElse(null);
                Map<String, Object> data = local == null ? null : local.data();
                repush(tx, e, data, e.fields());
            });
            requestSyncIfRunning();
        }

        @Override
        public void resolveWith(Conflict c, Map<String, Object> data) {
            updateParked(c.collection(), c.id(), c.changeId(), OutboxState.CONFLICT, (tx, e) -> {
                tx.applyRemote(c.collection(), c.id(), data, e.parked().hubVersion());
                repush(tx, e, data, null);
            });
            requestSyncIfRunning();
        }

        /** The entry goes out again with {@code data}, based on the hub's version (it was never applied). */
        private void repush(io.tether.sync.spi.ReplicaTransaction tx, OutboxEntry e, Map<String, Object> data,
                            java.util.Set<String> fields) {
            long hubVersion = e.parked().hubVersion();
            tx.saveOutbox(new OutboxEntry(e.sequence(), e.changeId(), e.collection(), e.id(),
                    data == null ? Operation.DELETE : Operation.UPSERT, data, data == null ? null : fields,
                    hubVersion, clock.now(), OutboxState.SENT, null));
            tx.setVersion(e.collection(), e.id(), hubVersion);
        }
    }
}
