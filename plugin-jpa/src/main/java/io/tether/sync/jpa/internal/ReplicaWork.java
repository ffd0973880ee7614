package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.SyncException;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ReplicaTransaction;
import org.hibernate.engine.spi.SessionImplementor;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One replica store transaction over a Hibernate session: remote applies go through the entities and are marked
 * as the store's own writes, so they are not captured into the outbox; the cursor and outbox are written with
 * JDBC on the same connection, so all of it commits together. Writes to the version and outbox tables are held
 * back and sent as JDBC batches when the transaction next reads those tables or {@link #finish() finishes}.
 */
public final class ReplicaWork implements ReplicaTransaction {
    private static final System.Logger LOG = System.getLogger(ReplicaWork.class.getName());
    private final EntityRecords records;
    private final ReplicaCapture capture;
    private final ReplicaTables tables;
    private final SessionImplementor session;
    private final ChangeBuffer buffer;
    /** Version rows read or written in this transaction (empty: known to have none). */
    private final Map<RecordKey, Optional<ReplicaTables.Meta>> metas = new HashMap<>();
    /** Outbox entries of prefetched records, kept in step with this transaction's writes; by sequence. */
    private final Map<RecordKey, List<OutboxEntry>> outboxes = new HashMap<>();
    private final Map<Long, RecordKey> cachedSequences = new HashMap<>();
    /** Version rows to write, the last write of each record. */
    private final Map<RecordKey, ReplicaTables.MetaPut> heldMeta = new LinkedHashMap<>();
    /** Outbox writes to make, the last of each sequence: an entry to save, or null to remove it. */
    private final Map<Long, OutboxEntry> heldOutbox = new LinkedHashMap<>();
    /** Outbox entries as stored (a SENT one may be a PENDING row in a run), where known: saves that change less rewrite less. */
    private final Map<Long, OutboxEntry> stored = new HashMap<>();
    /** The operation of each known record's outbox entry this transaction removed last. */
    private final Map<RecordKey, Operation> lastRemoved = new HashMap<>();
    /** Records whose entities this transaction wrote or removed. */
    private final Set<RecordKey> entityWrites = new HashSet<>();
    /** This transaction's turn on the state lock. */
    private final long turn;
    /** The turn in which each record of {@link #outboxes} was last prefetched. */
    private final Map<RecordKey, Long> prefetchedIn = new HashMap<>();
    /** Whether this transaction wrote version rows other than through {@link #putMeta} (a resync). */
    private boolean bulkWrites;
    /** Whether any delivered record waits for a record it references, read when first needed (usually none). */
    private Boolean anyWaiting;
    /** Waiting records looked up in this transaction (empty: known not to wait). */
    private final Map<RecordKey, Optional<ReplicaTables.Waiting>> waitingKnown = new HashMap<>();
    /** Records this transaction wrote or removed since {@link #applyWaiting} last looked for what awaits them. */
    private final Set<RecordKey> arrived = new LinkedHashSet<>();
    /**
     * Records written beside a local change although something had to happen first ({@link #blocker}), so they
     * could not wait: checked again before the transaction commits ({@link #refuseBlockedWrites}).
     */
    private final Set<RecordKey> blockedBesideChanges = new LinkedHashSet<>();
    /**
     * The unique values of the records this transaction inserted since it last flushed (collection and unique key to
     * record): inserts are flushed at commit, so the database does not show them to {@link #blocker} yet.
     */
    private final Map<List<Object>, RecordKey> insertedUnique = new HashMap<>();
    /** Records found here that others reference, so that each is looked up once a transaction. */
    private final Set<RecordKey> referencedHere = new HashSet<>();
    /** Whether the capture journal was folded whole before this transaction began (see {@link #requireWholeJournal}). */
    private final boolean journalWhole;
    /** Whether this transaction refused work because the journal was not folded whole. */
    private boolean wantedWholeJournal;

    /**
     * @param turn  this transaction's turn on the state lock ({@link ReplicaCapture.Drained})
     * @param known what the last committed transaction knew of its records, passed only when nothing else wrote the
     *              outbox or the version rows since (its turn was {@code turn - 1}), less the records this one's
     *              fold changed ({@link Known#without}); else null
     * @param journalWhole whether the capture journal was folded whole ({@link ReplicaCapture.Drained#whole}); when
     *                     not, the transaction only marks and settles pushed entries ({@link #requireWholeJournal})
     */
    public ReplicaWork(EntityRecords records, ReplicaCapture capture, SessionImplementor session, long turn,
                       Known known, boolean journalWhole) {
        this.journalWhole = journalWhole;
        this.records = records;
        this.capture = capture;
        this.tables = capture.tables();
        this.session = session;
        this.buffer = records.runtime().buffer(session);
        this.turn = turn;
        if (known != null) {
            takeOver(known);
        }
    }

    /**
     * What a committed transaction knew of the records prefetched in its turn or the one before that still have outbox
     * entries. The next transaction takes them over instead of reading them again: a push marks a batch sent in one
     * transaction and settles its answer two transactions later.
     */
    public record Known(long turn, Map<RecordKey, KnownRecord> records) {
        /** What is known of the records other than {@code changed} (a fold changed their rows since). */
        public Known without(Set<RecordKey> changed) {
            if (changed.isEmpty()) {
                return this;
            }
            Map<RecordKey, KnownRecord> left = new HashMap<>(records);
            left.keySet().removeAll(changed);
            return new Known(turn, left);
        }
    }

    /**
     * A record's version row and outbox entries as a committed transaction left them (its held writes were written,
     * so the entries are what the tables hold), and the turn it was last prefetched in.
     */
    public record KnownRecord(Optional<ReplicaTables.Meta> meta, List<OutboxEntry> entries, long prefetchedIn) {
    }

    /** Takes over the records the last transaction knew that were prefetched in the last two turns. */
    private void takeOver(Known known) {
        known.records().forEach((key, record) -> {
            if (record.prefetchedIn() < turn - KEEP_TURNS) {
                return;
            }
            prefetchedIn.put(key, record.prefetchedIn());
            metas.put(key, record.meta());
            outboxes.put(key, new ArrayList<>(record.entries()));
            for (OutboxEntry e : record.entries()) {
                cachedSequences.put(e.sequence(), key);
                stored.put(e.sequence(), e);
            }
        });
    }

    /**
     * What this transaction knows of its records that have outbox entries, for the next one, once it has committed
     * (after {@link #finish}); null when it knows too many to pass on or wrote version rows in bulk. Records without
     * entries (a pulled page, a settled batch) are left out: the next transactions rarely touch them again.
     */
    public Known known() {
        if (bulkWrites) {
            return null;
        }
        Map<RecordKey, KnownRecord> known = new HashMap<>();
        for (var record : outboxes.entrySet()) {
            Optional<ReplicaTables.Meta> meta = metas.get(record.getKey());
            if (record.getValue().isEmpty() || meta == null) {
                continue;
            }
            if (known.size() == KNOWN_MAX) {
                return null;
            }
            known.put(record.getKey(), new KnownRecord(meta, record.getValue(), prefetchedIn.get(record.getKey())));
        }
        return new Known(turn, known);
    }

    /** How many turns back a record's prefetch is passed on (a pushed batch is settled two turns after it is marked). */
    private static final int KEEP_TURNS = 2;
    /**
     * The most records a transaction passes on: a push keeps two or three batches known (1,000 changes each by
     * default); a transaction that knows more passes nothing on.
     */
    private static final int KNOWN_MAX = 20_000;

    @Override
    public void prefetch(String collection, Collection<String> ids) {
        if (records.model().forCollection(collection).isEmpty()) {
            return; // an unknown collection fails where it is written, with its own message
        }
        ids.forEach(id -> prefetchedIn.put(new RecordKey(collection, id), turn));
        List<String> fresh = ids.stream().distinct().filter(id -> !outboxes.containsKey(new RecordKey(collection, id)))
                .toList();
        if (fresh.isEmpty()) {
            return;
        }
        Jdbc.on(session, c -> {
            writeHeld(c);
            Map<String, ReplicaTables.Meta> found = tables.meta(c, collection, fresh);
            // usually nothing is waiting to be pushed when a page is pulled: one query instead of one per record
            Map<String, List<OutboxEntry>> entries = tables.outboxEmpty(c) ? Map.of()
                    : tables.outboxFor(c, collection, fresh);
            // records with neither a version nor an outbox entry are usually new to this replica (a pulled page)
            records.findAbsent(session, records.model().require(collection),
                    fresh.stream().filter(id -> !found.containsKey(id) && !entries.containsKey(id)).toList());
            if (anyWaiting()) {
                fresh.forEach(id -> waitingKnown.put(new RecordKey(collection, id), Optional.empty()));
                tables.waiting(c, collection, fresh).forEach(w -> waitingKnown.put(w.key(), Optional.of(w)));
            }
            for (String id : fresh) {
                RecordKey key = new RecordKey(collection, id);
                metas.put(key, Optional.ofNullable(found.get(id)));
                List<OutboxEntry> list = new ArrayList<>(entries.getOrDefault(id, List.of()));
                outboxes.put(key, list);
                list.forEach(e -> {
                    cachedSequences.put(e.sequence(), key);
                    stored.put(e.sequence(), e);
                });
            }
            return null;
        });
    }

    /**
     * A record's version row, read once a transaction. A row this transaction wrote is known already (every held write
     * is noted in {@link #metas}), so the read need not send the held writes first and break their batch.
     */
    private Optional<ReplicaTables.Meta> meta(String collection, String id) {
        return metas.computeIfAbsent(new RecordKey(collection, id), key -> Optional.ofNullable(
                Jdbc.on(session, c -> tables.meta(c, collection, List.of(id))).get(id)));
    }

    private void putMeta(String collection, String id, long version, boolean deleted) {
        RecordKey key = new RecordKey(collection, id);
        Optional<ReplicaTables.Meta> known = metas.get(key);
        ReplicaTables.MetaPut earlier = heldMeta.get(key);
        // whether the row exists is what was known before this transaction's first held write to it
        Boolean exists = earlier != null ? earlier.exists() : known == null ? null : known.isPresent();
        heldMeta.put(key, new ReplicaTables.MetaPut(collection, id, version, deleted, exists));
        metas.put(key, Optional.of(new ReplicaTables.Meta(version, deleted)));
    }

    /** Reads Tether's tables after writing what is held back, so the read sees this transaction's writes. */
    private <T> T read(Jdbc.Work<T> query) {
        return Jdbc.on(session, c -> {
            writeHeld(c);
            return query.run(c);
        });
    }

    private void writeHeld(Connection c) throws SQLException {
        if (!heldMeta.isEmpty()) {
            tables.putMeta(c, heldMeta.values());
            heldMeta.clear();
        }
        if (!heldOutbox.isEmpty()) {
            List<OutboxEntry> saves = new ArrayList<>();
            List<OutboxEntry> settled = new ArrayList<>();
            List<Long> marked = new ArrayList<>();
            List<Long> removals = new ArrayList<>();
            heldOutbox.forEach((sequence, entry) -> {
                OutboxEntry before = stored.get(sequence);
                if (entry == null) {
                    removals.add(sequence);
                    stored.remove(sequence);
                    return;
                }
                if (isMark(before, entry)) {
                    marked.add(sequence);
                } else {
                    (sameChange(before, entry) ? settled : saves).add(entry);
                }
                stored.put(sequence, entry);
            });
            tables.removeOutbox(c, removals);
            tables.saveOutbox(c, saves, settled);
            tables.markSent(c, marked);
            heldOutbox.clear();
        }
    }

    /** Whether the write only marks a PENDING entry SENT, which a run row records ({@link SentRuns}). */
    private static boolean isMark(OutboxEntry before, OutboxEntry after) {
        return before != null && before.state() == OutboxState.PENDING && after.state() == OutboxState.SENT
                && after.parked() == null && before.baseVersion() == after.baseVersion() && sameChange(before, after);
    }

    /** Whether two versions of an entry differ at most in state, parked answer and base version. */
    private static boolean sameChange(OutboxEntry before, OutboxEntry after) {
        return before != null && before.op() == after.op() && before.changeId().equals(after.changeId())
                && before.collection().equals(after.collection()) && before.id().equals(after.id())
                && Objects.equals(before.hlc(), after.hlc()) && Objects.equals(before.fields(), after.fields())
                && Objects.equals(before.data(), after.data());
    }

    /**
     * Writes what is held back, and refuses to commit over a local write that raced this transaction's entity writes
     * ({@link ReplicaCapture#refuseRacingCaptures}); the store calls this before it commits.
     */
    public void finish() {
        applyWaiting();
        refuseBlockedWrites();
        Jdbc.on(session, c -> {
            writeHeld(c);
            return null;
        });
        capture.refuseRacingCaptures(session, entityWrites);
    }

    /**
     * Fails, instead of the database's constraint, with what it is and what ends it, when a record written beside a
     * local change still references a record this replica does not hold, or takes a unique value another record here
     * holds (this transaction did not change that either).
     */
    private void refuseBlockedWrites() {
        for (RecordKey key : blockedBesideChanges) {
            SyncedEntity entity = records.model().require(key.collection());
            Map<String, Object> data = records.read(session, entity, key.id()).orElse(null);
            if (data == null) {
                continue;
            }
            RecordKey missing = missingReference(entity, key, data);
            String what = missing != null ? " references " + missing.collection() + "/" + missing.id()
                    + ", which this replica does not hold yet," : null;
            if (missing == null) {
                RecordKey holder = records.uniqueHolder(session, entity, key.id(),
                        records.uniqueKeys(session, entity, data)).map(h -> new RecordKey(key.collection(), h))
                        .orElse(null);
                what = holder == null ? null : " takes a unique value that " + holder.collection() + "/"
                        + holder.id() + " holds here until a later change of it,";
            }
            if (what != null) {
                throw new SyncException("The hub's state of " + key.collection() + "/" + key.id() + what + " and "
                        + key.collection() + "/" + key.id() + " has a local change not pushed yet, so it cannot wait "
                        + "for it; nothing of this page was applied. Once that change is pushed (uploads resumed, a "
                        + "conflict or rejected change in front of it dealt with), the next sync applies the page.");
            }
        }
        blockedBesideChanges.clear();
    }

    @Override
    public Optional<LocalRecord> read(String collection, String id) {
        SyncedEntity entity = records.model().require(collection);
        Optional<Map<String, Object>> data = records.read(session, entity, id);
        ReplicaTables.Meta meta = meta(collection, id).orElse(null);
        if (data.isPresent()) {
            return Optional.of(new LocalRecord(collection, id, data.get(), meta == null ? 0 : meta.version()));
        }
        if (meta == null && waitingOf(new RecordKey(collection, id)).isPresent()) {
            // delivered, not written yet: held like a tombstone, so that a delete delivered next still reaches it
            return Optional.of(new LocalRecord(collection, id, null, 0));
        }
        return meta == null ? Optional.empty() : Optional.of(new LocalRecord(collection, id, null, meta.version()));
    }

    /**
     * {@inheritDoc} A delivered state that waits for a record it references counts as held: an older delivery, which
     * a push's answer can precede, does not replace it.
     */
    @Override
    public long version(String collection, String id) {
        records.model().require(collection);
        long held = meta(collection, id).map(ReplicaTables.Meta::version).orElse(0L);
        long waiting = waitingOf(new RecordKey(collection, id)).map(ReplicaTables.Waiting::version).orElse(0L);
        return waiting == 0 || LocalRecord.holds(held, waiting) ? held : waiting;
    }

    @Override
    public List<OutboxEntry> outboxFor(String collection, String id) {
        List<OutboxEntry> cached = outboxes.get(new RecordKey(collection, id));
        if (cached != null) {
            return List.copyOf(cached);
        }
        return read(c -> tables.outboxFor(c, collection, List.of(id))).getOrDefault(id, List.of());
    }

    /**
     * Refuses what needs every committed local write folded into the outbox, in a transaction that runs beside
     * captured changes not folded yet (a push's, {@code JpaReplicaStore.inPushTransaction}): a decision taken on the
     * outbox without them could overwrite one of them. The store then runs the work again with the journal folded.
     */
    private void requireWholeJournal(String what) {
        if (!journalWhole) {
            wantedWholeJournal = true;
            throw new SyncException(what + " needs the capture journal folded whole, and this push transaction runs "
                    + "beside captured changes not folded yet");
        }
    }

    /** Whether this transaction refused work because the capture journal was not folded whole. */
    public boolean wantedWholeJournal() {
        return wantedWholeJournal;
    }

    @Override
    public void applyRemote(String collection, String id, Map<String, Object> data, long version) {
        requireWholeJournal("applying " + collection + "/" + id);
        SyncedEntity entity = records.model().require(collection);
        RecordKey key = new RecordKey(collection, id);
        List<EntityRecords.UniqueKey> unique = data == null ? List.of() : records.uniqueKeys(session, entity, data);
        if (data != null) {
            RecordKey missing = blocker(entity, key, data, unique);
            if (missing != null && outboxFor(collection, id).stream().allMatch(ReplicaWork::mayWaitBeside)) {
                // its foreign key or a unique index would refuse it: it waits, durably, for the record it references
                // (a later page) or for the one holding its unique value to give it up
                putWaiting(new ReplicaTables.Waiting(key, version, data, missing));
                return;
            }
            if (missing != null) {
                blockedBesideChanges.add(key); // written all the same: this transaction may still unblock it
            }
        } else {
            referencedHere.remove(key);
        }
        write(entity, key, data, version, unique);
    }

    /**
     * Writes a delivered state (null: a delete) that nothing keeps waiting; {@code unique} are its unique keys
     * ({@link EntityRecords#uniqueKeys}).
     */
    private void write(SyncedEntity entity, RecordKey key, Map<String, Object> data, long version,
                       List<EntityRecords.UniqueKey> unique) {
        String collection = key.collection();
        String id = key.id();
        dropWaiting(key); // this state supersedes one that waited
        buffer.storeWrite(key);
        entityWrites.add(key);
        Map<String, Object> before = records.read(session, entity, id).orElse(null);
        if (data == null && before != null && records.referenced(session, entity, id)) {
            // a record kept here (with a local change) references it: keep the entity until nothing does, its
            // version row saying deleted at -version (see beginResync)
            putMeta(collection, id, -Math.abs(version), true);
            return;
        }
        if (data == null) {
            records.remove(session, entity, id); // flushes
            insertedUnique.clear();
            arrived.add(key); // a record waiting for the unique value it held may go now
        } else {
            records.write(session, entity, id, data);
            if (before != null && records.changesUnique(session, entity, before, data)) {
                session.flush(); // a later write of this transaction may take the unique value this one frees
                insertedUnique.clear();
            } else if (before == null) {
                unique.forEach(u -> insertedUnique.put(List.of(collection, u), key));
            }
            arrived.add(key);
        }
        putMeta(collection, id, version, data == null);
        Set<String> changed = changedFields(before, data);
        if (before == null ? data != null : data == null || !changed.isEmpty()) { // a listener can see it
            Operation op = data == null ? Operation.DELETE : Operation.UPSERT;
            buffer.remoteEvents.add(new ChangeEvent(collection, id, op, before, data, changed, version));
        }
        if (before != null) {
            releaseKeptBack(entity, before, data);
        }
    }

    /** Releases the records this record referenced before the write and no longer does (see {@link #release}). */
    private void releaseKeptBack(SyncedEntity entity, Map<String, Object> before, Map<String, Object> after) {
        release(records.model().droppedReferences(entity, before, after));
    }

    /**
     * Removes those of these records whose removal was kept back while a record here referenced them (their version
     * rows say deleted, their entities stay) where nothing references them now and they have no local change; a
     * record another still references stays kept back. Called when a write drops references: a remote one here, a
     * local one when the capture journal is folded ({@link ReplicaCapture.Drained#released}).
     */
    public void release(Collection<RecordKey> keys) {
        for (RecordKey key : keys) {
            SyncedEntity target = records.model().forCollection(key.collection()).orElse(null);
            ReplicaTables.Meta meta = target == null ? null : meta(key.collection(), key.id()).orElse(null);
            if (meta != null && meta.deleted() && outboxFor(key.collection(), key.id()).isEmpty()
                    && records.exists(session, target, key.id())) {
                applyRemote(key.collection(), key.id(), null, meta.version()); // kept back again if referenced
            }
        }
    }

    /**
     * What must happen before {@code data} can be written, or null: a record it references that this replica does
     * not hold ({@link #missingReference}), else another record that holds a value of a unique index it takes (the
     * hub's change that freed the value is in a later page: the hub compacted an earlier one away). {@code unique}
     * are the record's unique keys ({@link EntityRecords#uniqueKeys}).
     */
    private RecordKey blocker(SyncedEntity entity, RecordKey key, Map<String, Object> data,
                              List<EntityRecords.UniqueKey> unique) {
        RecordKey missing = missingReference(entity, key, data);
        if (missing != null || unique.isEmpty()) {
            return missing;
        }
        RecordKey holder = records.uniqueHolder(session, entity, key.id(), unique)
                .map(h -> new RecordKey(key.collection(), h)).orElse(null);
        if (holder == null) {
            for (EntityRecords.UniqueKey u : unique) {
                RecordKey inserted = insertedUnique.get(List.of(key.collection(), u));
                if (inserted != null && !inserted.equals(key)) {
                    return inserted; // inserted by this transaction, not flushed yet: the lookup cannot see it
                }
            }
            return null;
        }
        return makeWayForSwap(entity, key, holder) ? null : holder;
    }

    /**
     * Records that swap unique values, each delivered state waiting for the next one's holder to give its value up
     * (the hub passed through values that a compacted log or a resync's snapshot no longer carries), would wait for
     * each other for good. A holder whose own delivered state waits already holds its value in an older state: its
     * entity is removed, if nothing references it and it has no local change, so that this record can be written;
     * its delivered state is written by {@link #applyWaiting} once what it waits for is done. Returns whether it made
     * way.
     */
    private boolean makeWayForSwap(SyncedEntity entity, RecordKey key, RecordKey holder) {
        ReplicaTables.Waiting waiting = waitingOf(holder).orElse(null);
        if (waiting == null || !outboxFor(holder.collection(), holder.id()).isEmpty()
                || records.referenced(session, entity, holder.id())) {
            return false;
        }
        buffer.storeWrite(holder);
        entityWrites.add(holder);
        records.remove(session, entity, holder.id()); // flushes
        insertedUnique.clear();
        return true;
    }

    /**
     * A record that {@code data} references by a many-to-one and that this replica does not hold, or null. Pages come
     * in version order, so a record can arrive before one it references: a task created before its project was last
     * renamed, on an initial sync or once the hub compacted the project's first entry away.
     */
    private RecordKey missingReference(SyncedEntity entity, RecordKey key, Map<String, Object> data) {
        for (SyncedField reference : entity.references()) {
            Object value = data.get(reference.name());
            SyncedEntity target = records.model().forEntityName(reference.target());
            if (value == null || target == null) {
                continue;
            }
            RecordKey referenced = new RecordKey(target.collection(), String.valueOf(value));
            if (referenced.equals(key) || referencedHere.contains(referenced)) {
                continue;
            }
            if (!records.exists(session, target, referenced.id())) {
                return referenced;
            }
            referencedHere.add(referenced);
        }
        return null;
    }

    /**
     * Whether a delivered record may wait beside this outbox entry of it: a sent, conflicting or rejected one, whose
     * answer, resolution, retry or dismissal settles the record with the hub. Not beside a pending one: settling a
     * push rebases the pending changes behind it on the hub's version and gives them the record's data, which must
     * then be written, not waiting (a pull's delivery meets it again after the next push).
     */
    private static boolean mayWaitBeside(OutboxEntry e) {
        return e.state() != OutboxState.PENDING;
    }

    private boolean anyWaiting() {
        if (anyWaiting == null) {
            anyWaiting = Jdbc.on(session, tables::anyWaiting); // a table no held write touches
        }
        return anyWaiting;
    }

    /** What waits for this record to be written, looked up once a transaction (not at all while nothing waits). */
    private Optional<ReplicaTables.Waiting> waitingOf(RecordKey key) {
        if (!anyWaiting()) {
            return Optional.empty();
        }
        return waitingKnown.computeIfAbsent(key, k -> Jdbc.on(session,
                c -> tables.waiting(c, k.collection(), List.of(k.id()))).stream().findFirst());
    }

    private void putWaiting(ReplicaTables.Waiting w) {
        Jdbc.on(session, c -> {
            tables.putWaiting(c, w);
            return null;
        });
        anyWaiting = true;
        waitingKnown.put(w.key(), Optional.of(w));
        LOG.log(System.Logger.Level.DEBUG, "{0} waits for {1}, which it references", w.key(), w.awaited());
    }

    /** Forgets what waited for this record, if anything did. */
    private void dropWaiting(RecordKey key) {
        if (waitingOf(key).isPresent()) {
            Jdbc.on(session, c -> {
                tables.removeWaiting(c, key);
                return null;
            });
            waitingKnown.put(key, Optional.empty());
        }
    }

    /**
     * Applies the records waiting for those this transaction wrote, and in turn those waiting for them; drops those a
     * local write or a newer version overtook (the local change's push settles the record with the hub). Only the
     * records awaiting an arrival are read, by an index, so that a long wait list costs nothing per transaction.
     */
    private void applyWaiting() {
        if (arrived.isEmpty() || !anyWaiting()) {
            return;
        }
        // rows an earlier version kept without the awaited record: looked at, then kept with it
        List<ReplicaTables.Waiting> found = new ArrayList<>(Jdbc.on(session, tables::awaitingUnknown));
        while (!arrived.isEmpty()) {
            Map<String, List<String>> byCollection = new LinkedHashMap<>();
            arrived.forEach(k -> byCollection.computeIfAbsent(k.collection(), x -> new ArrayList<>()).add(k.id()));
            arrived.clear();
            byCollection.forEach((collection, ids) -> found.addAll(
                    Jdbc.on(session, c -> tables.awaiting(c, collection, ids))));
            for (ReplicaTables.Waiting w : found) {
                waitingKnown.put(w.key(), Optional.of(w));
                String collection = w.key().collection();
                String id = w.key().id();
                SyncedEntity entity = records.model().forCollection(collection).orElse(null);
                long held = meta(collection, id).map(ReplicaTables.Meta::version).orElse(0L);
                if (entity == null || !outboxFor(collection, id).isEmpty() || LocalRecord.holds(held, w.version())) {
                    dropWaiting(w.key());
                    continue;
                }
                List<EntityRecords.UniqueKey> unique = records.uniqueKeys(session, entity, w.data());
                RecordKey missing = blocker(entity, w.key(), w.data(), unique);
                if (missing == null) {
                    write(entity, w.key(), w.data(), w.version(), unique);
                } else if (!missing.equals(w.awaited())) { // it references another record not here yet
                    putWaiting(new ReplicaTables.Waiting(w.key(), w.version(), w.data(), missing));
                }
            }
            found.clear();
        }
    }

    @Override
    public void setVersion(String collection, String id, long version) {
        SyncedEntity entity = records.model().require(collection);
        RecordKey key = new RecordKey(collection, id);
        ReplicaTables.Meta meta = meta(collection, id).orElse(null);
        boolean deleted = meta != null ? meta.deleted() : deletedHere(entity, key);
        putMeta(collection, id, version, deleted);
        // a push settled as sent holds the record at a version past what waited (a kept local state, say)
        if (waitingOf(key).filter(w -> LocalRecord.holds(version, w.version())).isPresent()) {
            dropWaiting(key);
        }
    }

    /**
     * Whether a record without a version row is deleted here: as the last local write says when this transaction
     * removed its outbox entry and none is left (the usual settle of a pushed record), else as its entity says. A
     * local write that commits meanwhile is folded later, and the fold sets its version row's deleted flag.
     */
    private boolean deletedHere(SyncedEntity entity, RecordKey key) {
        Operation settled = lastRemoved.get(key);
        List<OutboxEntry> left = outboxes.get(key);
        if (settled != null && left != null && left.isEmpty()) {
            return settled == Operation.DELETE;
        }
        return !records.exists(session, entity, key.id());
    }

    @Override
    public void saveOutbox(OutboxEntry entry) {
        heldOutbox.put(entry.sequence(), entry);
        RecordKey key = new RecordKey(entry.collection(), entry.id());
        List<OutboxEntry> cached = outboxes.get(key);
        if (cached != null) {
            cached.removeIf(e -> e.sequence() == entry.sequence());
            cached.add(entry);
            cached.sort(Comparator.comparingLong(OutboxEntry::sequence));
            cachedSequences.put(entry.sequence(), key);
        }
    }

    @Override
    public void removeOutbox(long sequence) {
        heldOutbox.put(sequence, null);
        RecordKey key = cachedSequences.remove(sequence);
        if (key != null) {
            for (Iterator<OutboxEntry> entries = outboxes.get(key).iterator(); entries.hasNext(); ) {
                OutboxEntry e = entries.next();
                if (e.sequence() == sequence) {
                    lastRemoved.put(key, e.op());
                    entries.remove();
                }
            }
        }
    }

    @Override
    public Optional<String> cursor() {
        return Optional.ofNullable(Jdbc.on(session, tables::cursor));
    }

    @Override
    public void setCursor(String cursor) {
        requireWholeJournal("moving the cursor");
        Jdbc.on(session, c -> {
            tables.setCursor(c, cursor);
            return null;
        });
    }

    /**
     * Marks the versioned records stale with one statement, and gives each entity that has neither a version row nor
     * an outbox entry (a row written before Tether was added) a version row at 0, walking the entity ids a chunk at a
     * time: {@link #finishResync} then finds what to remove among the version rows alone. The walk also marks stale
     * the records whose removal was kept back because a record kept here referenced them (their version rows say
     * deleted while the entity stays), so the resync's end tries again. A resync that leaves nothing stale (a fresh
     * replica's first sync) is not recorded as under way, so that ending it reads nothing.
     */
    @Override
    public void beginResync() {
        requireWholeJournal("a resync");
        bulkWrites = true;
        int marked = Jdbc.on(session, c -> {
            writeHeld(c);
            tables.setCursor(c, null);
            tables.clearWaiting(c); // the resync delivers every record's current state again
            return tables.markStale(c);
        });
        anyWaiting = false;
        waitingKnown.clear();
        metas.clear(); // versions read before are stale now; entities and outbox entries are as they were
        boolean outboxEmpty = Jdbc.on(session, tables::outboxEmpty);
        for (SyncedEntity entity : records.model().entities()) {
            for (List<?> chunk = records.idsAfter(session, entity, null, RESYNC_WALK); !chunk.isEmpty();
                 chunk = records.idsAfter(session, entity, chunk.get(chunk.size() - 1), RESYNC_WALK)) {
                marked += markWalked(entity.collection(), chunk.stream().map(entity::recordId).toList(), outboxEmpty);
            }
        }
        boolean anyMarked = marked > 0;
        Jdbc.on(session, c -> {
            // records an earlier resync left stale (one that did not end) are still to be removed
            tables.setResyncPending(c, anyMarked || anyStaleLive(c));
            return null;
        });
    }

    /**
     * One chunk of {@link #beginResync}'s walk over entity ids: gives each record without a version row or outbox
     * entry a version row at 0, and marks stale again each one whose removal was kept back; returns how many.
     */
    private int markWalked(String collection, List<String> ids, boolean outboxEmpty) {
        return Jdbc.on(session, c -> {
            Map<String, ReplicaTables.Meta> versioned = tables.meta(c, collection, ids);
            Set<String> changed = outboxEmpty ? Set.of() : tables.outboxFor(c, collection, ids).keySet();
            List<ReplicaTables.MetaPut> puts = new ArrayList<>();
            for (String id : ids) {
                if (changed.contains(id)) {
                    continue; // kept as it is
                }
                ReplicaTables.Meta meta = versioned.get(id);
                if (meta == null) {
                    puts.add(new ReplicaTables.MetaPut(collection, id, 0, false, false));
                } else if (meta.deleted()) { // a removal kept back while referenced: tried again at the end
                    puts.add(new ReplicaTables.MetaPut(collection, id, -Math.abs(meta.version()), false, true));
                }
            }
            tables.putMeta(c, puts);
            return puts.size();
        });
    }

    private boolean anyStaleLive(Connection c) throws SQLException {
        for (SyncedEntity entity : records.model().entities()) {
            if (!tables.staleLive(c, entity.collection(), 1).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int queueAgain(long version, String hlc, int max) {
        requireWholeJournal("queueing records again");
        if (version < 0 || max < 1) {
            throw new IllegalArgumentException("version must not be negative and max positive, were " + version
                    + " and " + max);
        }
        List<ReplicaTables.StaleRecord> held = read(c -> {
            List<ReplicaTables.StaleRecord> found = new ArrayList<>();
            for (SyncedEntity entity : records.model().entities()) {
                if (found.size() < max) {
                    found.addAll(tables.heldAbove(c, entity.collection(), version, max - found.size()));
                }
            }
            return found;
        });
        if (held.isEmpty()) {
            return 0;
        }
        Map<String, List<String>> ids = new LinkedHashMap<>(); // versions and outbox entries in a few round trips
        held.forEach(h -> ids.computeIfAbsent(h.collection(), k -> new ArrayList<>()).add(h.id()));
        ids.forEach(this::prefetch);
        long first = Jdbc.on(session, c -> tables.allocate(c, held.size()));
        String clientId = capture.clientId();
        for (int i = 0; i < held.size(); i++) {
            ReplicaTables.StaleRecord h = held.get(i);
            LocalRecord r = read(h.collection(), h.id()).orElseThrow();
            saveOutbox(OutboxEntry.pushAgain(r, clientId, first + i, version, hlc));
        }
        return held.size();
    }

    /** How many entity ids {@link #beginResync} reads at a time. */
    private static final int RESYNC_WALK = 5_000;

    @Override
    public int finishResync(int max) {
        requireWholeJournal("a resync");
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        List<ReplicaTables.StaleRecord> left = read(c -> {
            if (!tables.resyncPending(c)) {
                return null;
            }
            List<ReplicaTables.StaleRecord> found = new ArrayList<>();
            for (SyncedEntity entity : records.model().referencingFirst()) {
                found.addAll(tables.staleLive(c, entity.collection(), max - found.size()));
                if (found.size() == max) {
                    break;
                }
            }
            return found;
        });
        if (left == null) {
            return 0;
        }
        for (ReplicaTables.StaleRecord r : left) {
            applyRemote(r.collection(), r.id(), null, -Math.abs(r.version()));
        }
        if (left.size() < max) {
            Jdbc.on(session, c -> {
                tables.setResyncPending(c, false);
                return null;
            });
        }
        return left.size();
    }

    /** Fields whose values differ between two states (every field of the one that exists when the other does not). */
    static Set<String> changedFields(Map<String, Object> before, Map<String, Object> after) {
        if (before == null || after == null) {
            return after == null ? Set.of() : after.keySet();
        }
        Set<String> out = new java.util.LinkedHashSet<>();
        after.forEach((k, v) -> {
            if (!java.util.Objects.equals(before.get(k), v)) {
                out.add(k);
            }
        });
        before.keySet().forEach(k -> {
            if (!after.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }
}
