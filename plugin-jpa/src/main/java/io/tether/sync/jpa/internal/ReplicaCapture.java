package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncException;
import io.tether.sync.spi.LocalWrite;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;
import org.hibernate.engine.spi.SessionImplementor;

import java.sql.Connection;
import java.sql.SQLException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's capture: in before-completion, the transaction's net changes go into the capture journal (one
 * row, no reads, so that capture costs the application little); after commit its events are published. The
 * journal is folded into the outbox by {@link #drain} in the store's own transactions, before they read the
 * outbox or apply remote changes, and in the background once captures pause, on a thread of the store's, so that
 * a sync usually finds it folded. Thread-safe.
 */
public final class ReplicaCapture implements ChangeSink {
    private static final System.Logger LOG = System.getLogger(ReplicaCapture.class.getName());

    private final AtomicLong batches = new AtomicLong();
    private final AtomicBoolean foldQueued = new AtomicBoolean();
    private volatile StoreContext context;
    private volatile ReplicaTables tables;
    private volatile String clientId;
    private volatile EntityRecords records;
    private volatile ScheduledExecutorService folder;
    private volatile long lastCapture;
    private volatile long lastPush = System.nanoTime();

    /** Becomes usable once the engine opened the store. */
    public synchronized void open(StoreContext context, EntityRecords records) {
        this.tables = new ReplicaTables(context.json(), records.runtime().factory());
        this.records = records;
        this.context = context;
        if (folder == null) {
            ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "tether-jpa-fold");
                t.setDaemon(true);
                return t;
            });
            pool.setKeepAliveTime(10, TimeUnit.SECONDS);
            pool.allowCoreThreadTimeOut(true);
            folder = pool;
        }
    }

    /** Stops folding in the background (a fold under way finishes; the journal keeps what is left). */
    public synchronized void close() {
        if (folder != null) {
            folder.shutdown();
            folder = null;
        }
    }

    /**
     * Folds the journal on the store's thread once captures have paused for {@value #QUIET_MS} ms, so that
     * folding does not compete with a burst of writes and a later sync finds the outbox folded.
     */
    private void foldWhenQuiet() {
        lastCapture = System.nanoTime();
        queueFold();
    }

    /**
     * A push is reading or settling batches: it folds the journal as it goes ({@link #outboxAhead}, the budget of
     * {@link #drain}), so the background fold stands aside until it has paused for {@value #QUIET_MS} ms too,
     * instead of holding the state lock between its batches.
     */
    public void pushing() {
        lastPush = System.nanoTime();
    }

    private void queueFold() {
        if (foldQueued.compareAndSet(false, true)) {
            schedule(QUIET_MS);
        }
    }

    private void schedule(long delayMs) {
        ScheduledExecutorService f = folder;
        try {
            if (f != null) {
                f.schedule(this::foldIfQuiet, delayMs, TimeUnit.MILLISECONDS);
                return;
            }
        } catch (RejectedExecutionException closing) {
            // closed meanwhile: the next outbox read or sync folds
        }
        foldQueued.set(false);
    }

    private void foldIfQuiet() {
        long quietFor = quietMs();
        if (quietFor < QUIET_MS) {
            schedule(QUIET_MS - quietFor);
            return;
        }
        foldQueued.set(false);
        try {
            while (records.inTransaction(this::drainSome)) {
                if (quietMs() < QUIET_MS) {
                    queueFold(); // writes resumed: give way, and go on once they pause again
                    return;
                }
            }
        } catch (RuntimeException e) {
            // nothing is lost: the journal keeps the rows, and the next outbox read or sync folds them
            LOG.log(System.Logger.Level.DEBUG, "background fold of the capture journal failed", e);
        }
    }

    /** How long neither a capture nor a push's store work happened. */
    private long quietMs() {
        long capture = lastCapture;
        long push = lastPush;
        return (System.nanoTime() - (capture - push > 0 ? capture : push)) / 1_000_000;
    }

    private static final long QUIET_MS = 100;

    /** Creates the state row with a fresh client id unless it exists (needs no engine yet). */
    public void prepare(EntityRecords records) {
        ReplicaTables plain = new ReplicaTables(null, records.runtime().factory());
        this.clientId = records.inTransaction(s -> Jdbc.on(s, c -> {
            PlannerStatistics.check(c, records);
            return plain.ensureState(c);
        }));
    }

    public String clientId() {
        return clientId;
    }

    public Optional<String> cursor(EntityRecords records) {
        return Optional.ofNullable(records.inTransaction(s -> Jdbc.on(s, tables()::cursor)));
    }

    public List<OutboxEntry> outbox(EntityRecords records, Set<OutboxState> states, long afterSequence, int limit) {
        return readFolded(records, c -> tables().outbox(c, states, afterSequence, limit));
    }

    /**
     * Reads outbox entries for a push ({@code ReplicaStore.outbox(states, afterSequence, limit)}): the journal is
     * folded, a part at a time, only while the read finds fewer than {@code limit} entries, so the push of a long
     * offline stretch starts with the first part folded instead of all of it; the rest folds as the push goes on.
     */
    public List<OutboxEntry> outboxAhead(EntityRecords records, Set<OutboxState> states, long afterSequence,
                                         int limit) {
        pushing();
        while (true) {
            Optional<List<OutboxEntry>> read = records.inTransaction(s -> {
                List<OutboxEntry> entries = Jdbc.on(s, c -> tables().outbox(c, states, afterSequence, limit));
                return entries.size() >= limit || !drainSome(s) ? Optional.of(entries) : Optional.empty();
            });
            if (read.isPresent()) {
                return read.get();
            }
        }
    }

    public long outboxCount(EntityRecords records, Set<OutboxState> states) {
        return readFolded(records, c -> tables().outboxCount(c, states));
    }

    /** The hub version a record is known at locally (0 when never synced). */
    public long version(SessionImplementor session, String collection, String id) {
        return versions(session, collection, List.of(id)).getOrDefault(id, 0L);
    }

    /** Versions of many records of one collection (those never synced are left out). */
    public Map<String, Long> versions(SessionImplementor session, String collection, List<String> ids) {
        Map<String, Long> out = new HashMap<>();
        Jdbc.on(session, c -> tables().meta(c, collection, ids)).forEach((id, m) -> out.put(id, m.version()));
        return out;
    }

    public StoreContext context() {
        StoreContext c = context;
        if (c == null) {
            throw new SyncException("A synced entity was written before the JpaReplicaStore was opened by an engine; "
                    + "build and start the replica engine before writing synced entities.");
        }
        return c;
    }

    ReplicaTables tables() {
        context();
        return tables;
    }

    /**
     * In the application's transaction: runs the persistence hooks and appends the transaction's net changes to
     * the capture journal, one row. Nothing is read: the outbox fold happens in {@link #drain}, before anything
     * reads the outbox.
     */
    @Override
    public void write(ChangeBuffer buffer, List<CapturedChange> changes) {
        StoreContext ctx = context();
        List<ReplicaTables.JournalChange> journal = new ArrayList<>(changes.size());
        List<ChangeEvent> events = new ArrayList<>(changes.size());
        for (CapturedChange change : changes) {
            runHooks(ctx, buffer, change);
            boolean delete = change.op() == Operation.DELETE;
            List<RecordKey> released = change.before() == null ? List.of()
                    : records.model().droppedReferences(change.entity(), change.before(), change.after());
            journal.add(new ReplicaTables.JournalChange(change.key(), change.op(), delete ? null : change.after(),
                    delete || change.changed() == null ? null : List.copyOf(change.changed()), ctx.clock().now(),
                    released));
            events.add(new ChangeEvent(change.key().collection(), change.key().id(), change.op(), change.before(),
                    change.after(), change.changedOrAll(), 0));
        }
        Jdbc.on(buffer.session(), c -> {
            // one block of sequences per transaction; those no entry takes are gaps, which are harmless
            tables.appendJournal(c, tables.allocate(c, changes.size()), journal);
            return null;
        });
        buffer.localEvents.addAll(events);
    }

    /**
     * Folds the committed capture journal into the outbox, in the caller's transaction, with the rules of
     * {@link OutboxEntry#capture}: a record's first change opens a PENDING entry based on its local version, later
     * ones fold into it, queueing behind a SENT one. Folds take turns on the state row lock; a journal row is
     * removed in the fold that applied it, so each applies exactly once. The caller's transaction keeps the lock
     * until it ends, so no fold changes the outbox under it. Once {@code budget} changes are folded it stops at the
     * end of a part: the rest of the journal is then left for later ({@link Drained#whole} is false). Returns the
     * transaction's turn on the lock, and what it folded.
     */
    public Drained drain(SessionImplementor session, long budget) {
        ReplicaTables t = tables();
        return Jdbc.on(session, c -> {
            long turn = t.lockState(c);
            Set<RecordKey> touched = new HashSet<>();
            boolean listed = true; // false once more were touched than are worth listing (memory stays bounded)
            Set<RecordKey> released = new LinkedHashSet<>();
            long folded = 0;
            while (folded < budget) {
                int part = foldSome(c, t, touched, released, (int) Math.min(DRAIN_CHANGES, budget - folded));
                if (touched.size() > TOUCHED_LISTED) {
                    listed = false;
                    touched.clear();
                }
                if (part == 0) {
                    return new Drained(turn, listed ? touched : null, released, true);
                }
                folded += part;
            }
            return new Drained(turn, listed ? touched : null, released, !t.journalPending(c));
        });
    }

    /**
     * A transaction's turn on the state row lock, the records whose changes its drain folded into the outbox (null:
     * more than {@value #TOUCHED_LISTED}), the records the folded changes stopped referencing, for
     * {@link ReplicaWork#release}, and whether the journal was folded whole (else committed changes wait in it, see
     * {@code JpaReplicaStore.inPushTransaction}). Every writer
     * of the outbox and the version rows takes the lock first and counts its turn in the row, so when a transaction's
     * turn follows the last one's, it finds those tables as the last one left them but for the records it folded.
     */
    public record Drained(long turn, Set<RecordKey> touched, Set<RecordKey> released, boolean whole) {
    }

    /**
     * The most records a drain lists as touched ({@link Drained#touched} is null beyond it): a push transaction folds
     * about a batch; a drain of a long journal in one transaction would otherwise list every record it folded.
     */
    private static final int TOUCHED_LISTED = 20_000;

    /**
     * Reads the outbox once the journal is folded, for reads that need no transaction of the caller's: the fold
     * runs in transactions of its own, a bounded part each, so that a long offline stretch (a million captured
     * changes) folds in bounded memory; the transaction that finds the journal empty does the read.
     */
    private <T> T readFolded(EntityRecords records, Jdbc.Work<T> read) {
        while (true) {
            Optional<T> result = records.inTransaction(s -> drainSome(s) ? Optional.<T>empty()
                    : Optional.of(Jdbc.on(s, read)));
            if (result.isPresent()) {
                return result.get();
            }
        }
    }

    /**
     * In a transaction of its own: folds some of the journal, if any, under the state lock, and releases the records
     * those changes stopped referencing; returns whether it folded anything.
     */
    private boolean drainSome(SessionImplementor session) {
        ReplicaTables t = tables();
        Set<RecordKey> released = new LinkedHashSet<>();
        Optional<Long> turn = Jdbc.on(session, c -> {
            if (!t.journalPending(c)) {
                return Optional.empty(); // no lock: a read that finds nothing to fold waits for no store transaction
            }
            long taken = t.lockState(c);
            return foldSome(c, t, null, released, DRAIN_CHANGES) > 0 ? Optional.of(taken)
                    : Optional.empty();
        });
        if (turn.isPresent() && !released.isEmpty()) {
            ReplicaWork work = new ReplicaWork(records, this, session, turn.get(), null, true);
            work.release(released);
            work.finish();
        }
        return turn.isPresent();
    }

    /**
     * At the end of a store transaction that wrote these records' entities: flushes those writes, then fails when a
     * capture of one of them committed after the transaction folded the journal. Such an application write was
     * overwritten by the store's write, and its journal row would be folded later as an edit based on the hub state
     * that overwrote it, so the replica would lose it while the hub takes it. Failing rolls the store's work back;
     * the next sync folds the capture first. A capture that commits after the flush waited for the entity rows the
     * store wrote, so it lands on top of them and is folded as usual.
     */
    void refuseRacingCaptures(SessionImplementor session, Set<RecordKey> written) {
        if (written.isEmpty()) {
            return;
        }
        session.flush();
        ReplicaTables t = tables();
        Jdbc.on(session, c -> {
            // usually empty: nothing was captured since the transaction folded the journal
            for (ReplicaTables.JournalRow row : t.journal(c)) {
                for (ReplicaTables.JournalChange change : row.changes()) {
                    RecordKey key = change.key();
                    if (written.contains(key)) {
                        throw new SyncException("A local write to " + key.collection() + "/" + key.id()
                                + " committed while this sync was writing the same record; the sync's work is rolled "
                                + "back, and the next sync takes the local write into account.");
                    }
                }
            }
            return null;
        });
    }

    /**
     * Under the state lock: folds up to {@value #DRAIN_ROWS} journal rows, stopping once {@code maxChanges} changes
     * are read (at least one row), and adds the records of their changes to {@code touched} (unless null) and the
     * records those stopped referencing to {@code released}; returns how many changes were folded.
     */
    private int foldSome(Connection c, ReplicaTables t, Set<RecordKey> touched, Set<RecordKey> released,
                         int maxChanges) throws SQLException {
        List<ReplicaTables.JournalRow> rows = t.journal(c, DRAIN_ROWS, maxChanges);
        if (rows.isEmpty()) {
            return 0;
        }
        fold(c, t, rows);
        rows.forEach(row -> row.changes().forEach(change -> {
            if (touched != null) {
                touched.add(change.key());
            }
            released.addAll(change.released());
        }));
        t.removeJournal(c, rows);
        return rows.stream().mapToInt(row -> row.changes().size()).sum();
    }

    private static final int DRAIN_ROWS = 64;
    private static final int DRAIN_CHANGES = 5_000;

    private record Journaled(long sequence, RecordKey key, LocalWrite write, String hlc) {
    }

    private void fold(Connection c, ReplicaTables t, List<ReplicaTables.JournalRow> rows) throws SQLException {
        List<Journaled> changes = new ArrayList<>();
        Map<String, Set<String>> idsByCollection = new LinkedHashMap<>();
        for (ReplicaTables.JournalRow row : rows) {
            long sequence = row.firstSequence();
            for (ReplicaTables.JournalChange e : row.changes()) {
                RecordKey key = e.key();
                changes.add(new Journaled(sequence++, key, new LocalWrite(key.collection(), key.id(), e.op(), null,
                        e.data(), e.fields() == null ? null : new LinkedHashSet<>(e.fields())), e.hlc()));
                idsByCollection.computeIfAbsent(key.collection(), k -> new LinkedHashSet<>()).add(key.id());
            }
        }
        Map<RecordKey, ReplicaTables.Meta> meta = new HashMap<>();
        Map<RecordKey, List<OutboxEntry>> outbox = new HashMap<>();
        for (var group : idsByCollection.entrySet()) {
            String collection = group.getKey();
            t.meta(c, collection, group.getValue()).forEach((id, m) -> meta.put(new RecordKey(collection, id), m));
            t.outboxHeadersFor(c, collection, group.getValue())
                    .forEach((id, entries) -> outbox.put(new RecordKey(collection, id), new ArrayList<>(entries)));
        }
        Map<RecordKey, OutboxEntry> pendingBefore = new HashMap<>();
        outbox.forEach((key, entries) -> pendingBefore.put(key, OutboxEntry.pendingOf(entries)));
        Map<RecordKey, Operation> lastOp = new LinkedHashMap<>();
        for (Journaled j : changes) {
            List<OutboxEntry> entries = outbox.computeIfAbsent(j.key(), k -> new ArrayList<>());
            OutboxEntry pending = OutboxEntry.pendingOf(entries);
            ReplicaTables.Meta m = meta.get(j.key());
            // the base is the version local edits build on: |v| (a negative version marks stale data)
            OutboxEntry next = OutboxEntry.capture(entries, j.write(), clientId, j.sequence(),
                    m == null ? 0 : Math.abs(m.version()), j.hlc());
            entries.remove(pending);
            if (next != null) {
                entries.add(next);
            }
            lastOp.put(j.key(), j.write().op());
        }
        List<OutboxEntry> inserts = new ArrayList<>();
        List<OutboxEntry> updates = new ArrayList<>();
        List<Long> removals = new ArrayList<>();
        for (var e : outbox.entrySet()) {
            OutboxEntry before = pendingBefore.get(e.getKey());
            OutboxEntry after = OutboxEntry.pendingOf(e.getValue());
            if (before != null && (after == null || after.sequence() != before.sequence())) {
                removals.add(before.sequence());
            }
            if (after != null && before != null && after.sequence() == before.sequence()) {
                updates.add(after);
            } else if (after != null) {
                inserts.add(after);
            }
        }
        for (var e : lastOp.entrySet()) {
            ReplicaTables.Meta m = meta.get(e.getKey());
            boolean deleted = e.getValue() == Operation.DELETE;
            if (m != null && m.deleted() != deleted) {
                t.setDeleted(c, e.getKey().collection(), e.getKey().id(), deleted);
            }
        }
        t.removeOutbox(c, removals);
        t.foldOutbox(c, updates);
        inserts.sort(Comparator.comparingLong(OutboxEntry::sequence));
        t.insertOutbox(c, inserts);
    }

    static void runHooks(StoreContext ctx, ChangeBuffer buffer, CapturedChange change) {
        if (buffer.hooksRanFor(change.key())) {
            return;
        }
        Map<String, Object> stored = ctx.beforeStore(new PendingWrite(ctx.role() == null ? Role.REPLICA : ctx.role(),
                change.key().collection(), change.key().id(), change.op(), change.before(), change.after(),
                change.op() == Operation.DELETE ? null : change.changed(), null));
        if (change.op() == Operation.UPSERT && stored != null && !Objects.equals(stored, change.after())) {
            throw new SyncException("A persistence hook changed the data of " + change.key().collection() + "/"
                    + change.key().id() + ", written through Hibernate; hooks may only veto such writes. Change the "
                    + "entity before saving it, or write through the store's put(...), where hooks may transform.");
        }
    }

    @Override
    public void publish(ChangeBuffer buffer) {
        StoreContext ctx = context;
        if (ctx == null) {
            return;
        }
        if (!buffer.remoteEvents.isEmpty()) {
            ctx.committed(new ChangeBatch(batches.incrementAndGet(), Origin.REMOTE, buffer.remoteEvents));
        }
        if (!buffer.localEvents.isEmpty()) {
            foldWhenQuiet();
            ctx.committed(new ChangeBatch(batches.incrementAndGet(), Origin.LOCAL, buffer.localEvents));
        }
    }
}
