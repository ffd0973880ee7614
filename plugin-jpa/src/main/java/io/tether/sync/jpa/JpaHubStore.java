package io.tether.sync.jpa;

import io.tether.sync.ProblemException;
import io.tether.sync.SyncRecord;
import io.tether.sync.jpa.internal.EntityRecords;
import io.tether.sync.jpa.internal.HubCapture;
import io.tether.sync.jpa.internal.HubWork;
import io.tether.sync.jpa.internal.LockWait;
import io.tether.sync.jpa.internal.Refusals;
import io.tether.sync.jpa.internal.SyncRuntime;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.StoreContext;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SharedSessionContract;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A hub's store over the server application's own Hibernate entities. Pushed changes are applied through the
 * entities; the application's own writes to {@link Synced} entities (admin screens, batch jobs) are captured into
 * the change log in the same transaction, so they reach replicas too. Versions are assigned in commit order: each
 * transaction takes its versions from a counter row under a row lock as late as possible (in before-completion
 * for the application's writes, in {@link HubTransaction#write} for pushes) and holds the lock until it ends, so
 * a pull that read {@link #headVersion()} first never skips a change that commits late.
 *
 * <pre>{@code
 * HubEngine hub = Tether.hub().store(new JpaHubStore(emf)).authenticator(jwt).build().start();
 * }</pre>
 *
 * <p>One store per factory. Writes to synced entities fail until the engine opened the store. Thread-safe.
 */
public final class JpaHubStore implements HubStore, JpaSyncStore {
    private final SyncRuntime runtime;
    private final EntityRecords records;
    private final HubCapture capture = new HubCapture();
    private final LockWait lockWait;
    private final int schemaVersion;

    /** A store with schema version 1. */
    public JpaHubStore(EntityManagerFactory factory) {
        this(factory, 1);
    }

    /**
     * @param factory       the application's factory, built with plugin-jpa on the class path; its
     *                      {@code jakarta.persistence.lock.timeout} (milliseconds, 5000 when absent) bounds how long a
     *                      push waits for a record's row lock on PostgreSQL
     * @param schemaVersion the version of the synced schema (positive)
     */
    public JpaHubStore(EntityManagerFactory factory, int schemaVersion) {
        Objects.requireNonNull(factory, "factory");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be positive, was " + schemaVersion);
        }
        SessionFactoryImplementor sessionFactory = factory.unwrap(SessionFactoryImplementor.class);
        this.lockWait = LockWait.of(sessionFactory);
        this.runtime = SyncRuntime.of(sessionFactory);
        this.records = new EntityRecords(runtime);
        this.schemaVersion = schemaVersion;
        runtime.attach(capture);
    }

    @Override
    public void open(StoreContext context) {
        runtime.attach(capture); // again after a close: the same store may serve a new engine
        capture.open(context, records);
    }

    @Override
    public <T> T inTransaction(Function<HubTransaction, T> work) {
        try {
            return records.inTransaction(session -> {
                lockWait.apply(session);
                HubWork tx = new HubWork(records, capture, session);
                T result = work.apply(tx);
                tx.finish();
                return result;
            });
        } catch (RuntimeException e) {
            if (Refusals.contended(e)) {
                throw new ProblemException(ProblemType.RATE_LIMITED, "another transaction is writing records this "
                        + "request writes, and the database gave up waiting for it; nothing was applied, retry shortly");
            }
            throw Refusals.translate(e);
        }
    }

    @Override
    public long headVersion() {
        return capture.headVersion(records);
    }

    @Override
    public List<LogEntry> changesSince(long after, long upTo, int limit, PullFilter filter) {
        return capture.changesSince(records, after, upTo, limit, filter);
    }

    @Override
    public List<LogEntry> snapshot(long after, long upTo, int limit, PullFilter filter) {
        return capture.snapshot(records, after, upTo, limit, filter);
    }

    @Override
    public long horizon() {
        return capture.horizon(records);
    }

    @Override
    public Optional<Instant> committedAt(long version) {
        return capture.committedAt(records, version);
    }

    @Override
    public long lastVersionCommittedBy(Instant time) {
        return capture.lastVersionCommittedBy(records, time);
    }

    @Override
    public long compact(Instant cutoff) {
        return capture.compact(records, cutoff);
    }

    @Override
    public List<CollectionSchema> collections() {
        return records.model().schemas();
    }

    @Override
    public Schema schema() {
        return new Schema(schemaVersion, collections());
    }

    @Override
    public Optional<SyncRecord> get(String collection, String id) {
        return capture.read(records, collection, id).filter(r -> !r.deleted())
                .map(r -> new SyncRecord(collection, id, r.data(), r.version()));
    }

    @Override
    public List<SyncRecord> list(String collection) {
        return records.list(collection, capture::versions);
    }

    @Override
    public long count(String collection) {
        return records.count(collection);
    }

    @Override
    public void put(String collection, String id, Map<String, Object> data) {
        records.put(capture.context(), Role.HUB, collection, id, data);
    }

    @Override
    public void delete(String collection, String id) {
        records.delete(collection, id);
    }

    @Override
    public void recordWrite(SharedSessionContract session, Class<?> entityType, Object id) {
        records.recordUnseen(session, entityType, id);
    }

    /** Detaches the store from the factory. The factory stays open; it belongs to the application. */
    @Override
    public void close() {
        runtime.detach(capture);
        capture.close();
    }
}
