package io.tether.sync.jpa;

import io.tether.sync.SyncRecord;
import io.tether.sync.jpa.internal.EntityRecords;
import io.tether.sync.jpa.internal.ReplicaCapture;
import io.tether.sync.jpa.internal.ReplicaWork;
import io.tether.sync.jpa.internal.SyncRuntime;
import io.tether.sync.jpa.internal.SyncedEntity;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.StoreContext;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SharedSessionContract;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A replica's store over the application's own Hibernate entities. Every committed write to a {@link Synced}
 * entity, made anywhere in the application through Hibernate, goes into the outbox in the same transaction;
 * remote changes are applied through the entities (so validation and entity listeners run) and are never
 * captured back. Record versions, the outbox, the cursor and the client id live in Tether's own tables, which
 * plugin-jpa adds to the persistence unit.
 *
 * <pre>{@code
 * EntityManagerFactory emf = Persistence.createEntityManagerFactory("app");
 * ReplicaEngine engine = Tether.replica().store(new JpaReplicaStore(emf)).plugin("rest")
 *         .property("tether.rest.url", "https://hub.example.com").build().start();
 * }</pre>
 *
 * <p>One store per factory. Writes to synced entities fail until the engine opened the store. Thread-safe.
 */
public final class JpaReplicaStore implements ReplicaStore, JpaSyncStore {
    private final SyncRuntime runtime;
    private final EntityRecords records;
    private final ReplicaCapture capture = new ReplicaCapture();
    private final int schemaVersion;
    /** What the last committed store transaction knew of its records (see {@link #inTransaction}). */
    private volatile ReplicaWork.Known known;

    /** A store with schema version 1. */
    public JpaReplicaStore(EntityManagerFactory factory) {
        this(factory, 1);
    }

    /**
     * @param factory       the application's factory, built with plugin-jpa on the class path
     * @param schemaVersion the version of the synced schema (positive)
     */
    public JpaReplicaStore(EntityManagerFactory factory, int schemaVersion) {
        Objects.requireNonNull(factory, "factory");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be positive, was " + schemaVersion);
        }
        this.runtime = SyncRuntime.of(factory.unwrap(SessionFactoryImplementor.class));
        this.records = new EntityRecords(runtime);
        this.schemaVersion = schemaVersion;
        capture.prepare(records);
        runtime.attach(capture);
    }

    @Override
    public void open(StoreContext context) {
        runtime.attach(capture); // again after a close: the same store may serve a new engine
        capture.open(context, records);
    }

    @Override
    public String clientId() {
        return capture.clientId();
    }

    /**
     * {@inheritDoc} What the transaction knew of its records when it committed is kept for the next one, which uses
     * it only when nothing wrote Tether's tables in between (its turn on the state lock follows this one's), for the
     * records its own fold left alone: a push batch is read when it is marked sent and used again when its answer is
     * settled.
     */
    @Override
    public <T> T inTransaction(Function<ReplicaTransaction, T> work) {
        return run(work, Long.MAX_VALUE);
    }

    /**
     * {@inheritDoc} Here the capture journal is folded up to {@value #PUSH_FOLD} changes first; when more wait, the
     * work runs beside them, and should it apply a record (or do anything else that needs them) it is rolled back
     * and run again with the journal folded whole. So a push of a long offline stretch folds it a part with each
     * batch, while the hub works on the batch before, instead of all of it before the first request.
     */
    @Override
    public <T> T inPushTransaction(Function<ReplicaTransaction, T> work) {
        capture.pushing();
        try {
            return run(work, PUSH_FOLD);
        } catch (WholeJournalNeeded refused) {
            return inTransaction(work);
        }
    }

    /** Changes a push transaction folds before it runs beside the rest of the journal: about a batch. */
    private static final long PUSH_FOLD = 1_000;

    private <T> T run(Function<ReplicaTransaction, T> work, long foldBudget) {
        ReplicaWork.Known last = known;
        Done<T> done = records.inTransaction(session -> {
            ReplicaCapture.Drained drained = capture.drain(session, foldBudget);
            ReplicaWork.Known current = last != null && last.turn() == drained.turn() - 1 && drained.touched() != null
                    ? last.without(drained.touched()) : null;
            ReplicaWork tx = new ReplicaWork(records, capture, session, drained.turn(), current, drained.whole());
            tx.release(drained.released());
            T result;
            try {
                result = work.apply(tx);
            } catch (RuntimeException e) {
                throw tx.wantedWholeJournal() ? new WholeJournalNeeded(e) : e;
            }
            if (tx.wantedWholeJournal()) {
                throw new WholeJournalNeeded(null); // the work went on past the refusal: it must not commit
            }
            tx.finish();
            return new Done<>(result, tx.known());
        });
        known = done.known(); // committed
        return done.result();
    }

    /** A push transaction did what needs the capture journal folded whole ({@code ReplicaWork.requireWholeJournal}). */
    private static final class WholeJournalNeeded extends RuntimeException {
        WholeJournalNeeded(RuntimeException cause) {
            super("rolled back, to run again with the capture journal folded whole", cause, false, false);
        }
    }

    private record Done<T>(T result, ReplicaWork.Known known) {
    }

    @Override
    public Optional<String> cursor() {
        return capture.cursor(records);
    }

    @Override
    public List<OutboxEntry> outbox(Set<OutboxState> states, int limit) {
        return capture.outbox(records, states, Long.MIN_VALUE, limit);
    }

    /** {@inheritDoc} Here the capture journal is folded only until the read finds {@code limit} entries. */
    @Override
    public List<OutboxEntry> outbox(Set<OutboxState> states, long afterSequence, int limit) {
        return capture.outboxAhead(records, states, afterSequence, limit);
    }

    @Override
    public long outboxCount(Set<OutboxState> states) {
        return capture.outboxCount(records, states);
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
        SyncedEntity entity = records.model().require(collection);
        return records.inTransaction(s -> records.read(s, entity, id)
                .map(data -> new SyncRecord(collection, id, data, capture.version(s, collection, id))));
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
        records.put(capture.context(), Role.REPLICA, collection, id, data);
    }

    @Override
    public void delete(String collection, String id) {
        records.delete(collection, id);
    }

    @Override
    public void recordWrite(SharedSessionContract session, Class<?> entityType, Object id) {
        records.recordUnseen(session, entityType, id);
    }

    /** Stops folding the capture journal in the background: only the store's own reads and transactions fold it. */
    void stopBackgroundFold() {
        capture.close();
    }

    /** Detaches the store from the factory. The factory stays open; it belongs to the application. */
    @Override
    public void close() {
        capture.close();
        runtime.detach(capture);
    }
}
