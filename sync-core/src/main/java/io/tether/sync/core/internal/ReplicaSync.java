package io.tether.sync.core.internal;

import io.tether.sync.Conflict;
import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.RejectedChange;
import io.tether.sync.SyncException;
import io.tether.sync.SyncReport;
import io.tether.sync.TransportException;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.SyncClock;
import io.tether.sync.spi.SyncTransport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The replica semantics (docs/internals.md, "Replica"): one sync cycle, the handling of every push result, and
 * the atomic apply of pulled pages. Not thread-safe: the engine runs one cycle at a time. Transport calls stay
 * on the cycle's thread; store work overlapping them runs on the store worker.
 */
public final class ReplicaSync {
    private static final System.Logger LOG = System.getLogger(ReplicaSync.class.getName());
    private final ReplicaStore store;
    /** The replica's clock: its node id stamps the records pushed again after a hub lost them. */
    private final SyncClock clock;
    private final String clientId;
    private final Consumer<Conflict> onConflict;
    private final Consumer<RejectedChange> onRejected;
    private final Executor storeWorker;
    private int pushBatchSize;
    private final int pullPageSize;
    /** This cycle's pushes the hub applied or merged, settled: their deliveries are echoes (see {@link #apply}). */
    private final OwnVersions ownVersions = new OwnVersions();
    /**
     * Whether the store may hold a resync not yet finished: one this engine began, or, until the first pull ends,
     * one a crash cut short. Spares every later pull the transaction that would find none.
     */
    private boolean resyncMayBeUnderWay = true;
    /**
     * The records whose manual conflict a resync under way has not delivered yet, or null until the first pull of
     * this engine reads them from the store. A resync delivers every record the hub has, so a conflict whose record
     * it does not deliver is with a record the hub no longer has (deleted, the delete since compacted away, so no page
     * will say so). The conflicts are marked in the store ({@link #UNCONFIRMED}) when the resync begins and unmarked
     * as their records arrive, so a resync that a restart cuts short is finished the same way.
     */
    private volatile Set<RecordKey> unconfirmedConflicts;
    /**
     * The {@link OutboxEntry.Parked#message()} of a manual conflict (which has no message otherwise) while a resync
     * under way has not delivered its record.
     */
    static final String UNCONFIRMED = "tether:hub-side-unconfirmed-by-resync";
    /**
     * While a resync runs after the hub lost part of its history: the last version this replica's history shares
     * with the hub's ({@code latestVersion}), so that the pages rebase the changes queued on the lost part (see
     * {@link #rebaseOnShared}); null otherwise.
     */
    private Long sharedUpTo;
    /** The changes this push sends a second time after a {@code validation} rejection (see {@link #settle}). */
    private final Set<String> sentAgain = new HashSet<>();

    /**
     * @param storeWorker runs store transactions that overlap a request in flight (applying the pulled page while
     *                    the next is fetched, settling and preparing push batches while one is pushed); the
     *                    cycle waits for each before it goes on. {@code Runnable::run} runs them in line.
     */
    public ReplicaSync(ReplicaStore store, SyncClock clock, int pushBatchSize, int pullPageSize,
                       Consumer<Conflict> onConflict, Consumer<RejectedChange> onRejected, Executor storeWorker) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clientId = store.clientId();
        this.pushBatchSize = pushBatchSize;
        this.pullPageSize = pullPageSize;
        this.onConflict = onConflict;
        this.onRejected = onRejected;
        this.storeWorker = Objects.requireNonNull(storeWorker, "storeWorker");
    }

    /** Counts of one cycle. */
    private static final class Tally {
        int pushed;
        int conflicts;
        int rejected;
        int pulled;
        /** Records queued again because the hub lost them (see {@link #queueAgain}). */
        int queuedAgain;
    }

    /** Push (unless paused), then pull until the hub has no more (unless paused). */
    public SyncReport cycle(SyncTransport transport, boolean push, boolean pull) {
        Tally tally = new Tally();
        try {
            if (push) {
                pushAll(transport, tally);
            }
            if (pull) {
                pullAll(transport, tally);
                if (push && tally.queuedAgain > 0) {
                    // what the hub lost, queued again before the resync: given back now, and the outcome pulled
                    pushAll(transport, tally);
                    pullAll(transport, tally);
                }
            }
        } finally {
            ownVersions.clear();
        }
        return new SyncReport(tally.pushed, tally.conflicts, tally.rejected, tally.pulled,
                store.cursor().orElse(null));
    }

    // ---- push

    /**
     * Pushes batch after batch, one request at a time and in outbox order. While the hub works on one batch, the
     * store worker settles the previous batch's answer and marks the next batch sent, in one transaction (records
     * of both batches are left out of the next), so the replica's store work overlaps the request instead of
     * following it.
     */
    private void pushAll(SyncTransport transport, Tally tally) {
        sentAgain.clear();
        OutboxScan scan = new OutboxScan(store);
        List<OutboxEntry> batch = List.of();
        Answered previous = null;
        while (true) {
            if (batch.isEmpty()) {
                if (previous != null) {
                    // settled before selecting, so that entries queued behind it can go next
                    settleAndMark(previous, false, List.of(), scan, tally).notifyListeners();
                    previous = null;
                }
                scan.restart();
                List<OutboxEntry> candidates = scan.next(pushBatchSize, List.of());
                if (candidates.isEmpty()) {
                    return;
                }
                batch = settleAndMark(null, false, candidates, scan, tally).next();
                continue; // empty when all of them were folded away meanwhile
            }
            Answered settle = previous;
            List<OutboxEntry> unsettled = new ArrayList<>(batch);
            if (settle != null) {
                unsettled.addAll(settle.batch());
            }
            Future<Ahead> ahead = submit(() -> settleAndMark(settle, true, scan.next(pushBatchSize, unsettled), scan,
                    tally));
            PushResponse response;
            try {
                response = transport.push(new PushRequest(clientId, batch.stream().map(OutboxEntry::toChange).toList()));
            } catch (ProblemException e) {
                if (e.type() != ProblemType.PAYLOAD_TOO_LARGE) {
                    awaitAfter(ahead, e).notifyListeners();
                    throw e;
                }
                await(ahead).notifyListeners();
                // the batch prepared ahead stays SENT and is selected again, in the smaller size
                if (batch.size() > 1) {
                    pushBatchSize = Math.max(1, batch.size() / 2);
                } else {
                    reject(batch.get(0), RejectReason.TOO_LARGE, e.problem().detail(), tally);
                }
                batch = List.of();
                previous = null;
                continue;
            } catch (RuntimeException | Error e) {
                Ahead done = settleAfter(ahead, e);
                if (done != null) {
                    done.notifyListeners(); // what it settled is committed
                }
                throw e;
            }
            Ahead done = await(ahead).notifyListeners();
            if (response.results().size() != batch.size()) {
                throw new TransportException("the hub answered " + response.results().size() + " results for "
                        + batch.size() + " changes", false);
            }
            previous = new Answered(batch, response.results());
            batch = done.next();
        }
    }

    /** A pushed batch with the hub's answer, to be settled. */
    private record Answered(List<OutboxEntry> batch, List<PushResult> results) {
    }

    /** What the store worker did while a push was in flight: notifications to run, and the next batch. */
    private record Ahead(List<Runnable> notifications, List<OutboxEntry> next) {
        /** Tells the listeners what the worker's committed transaction settled; returns this. */
        Ahead notifyListeners() {
            notifications.forEach(Runnable::run);
            return this;
        }
    }

    /**
     * In one transaction: settles {@code answered} (when not null) with the hub's answers, and marks the
     * {@code next} batch SENT; {@code laterSent} says whether a batch after {@code answered} is in flight. Returns
     * the listener calls to make after it, and {@code next} as now stored: a local write may have folded into a
     * PENDING entry since it was selected, and the request must carry that state.
     */
    private Ahead settleAndMark(Answered answered, boolean laterSent, List<OutboxEntry> next, OutboxScan scan,
                                Tally tally) {
        Settled done;
        try {
            done = store.inPushTransaction(tx -> {
                Settled run = new Settled(); // afresh each time: the store may run this again
                List<OutboxEntry> touched = new ArrayList<>(next);
                if (answered != null) {
                    touched.addAll(answered.batch());
                }
                RecordKey.idsByCollection(touched, OutboxEntry::collection, OutboxEntry::id).forEach(tx::prefetch);
                if (answered != null) {
                    settle(tx, answered, laterSent, run);
                }
                run.sent = markSent(tx, next);
                return run;
            });
        } catch (SyncException e) {
            throw e;
        } catch (RuntimeException e) {
            if (answered == null) {
                throw e;
            }
            throw notStored("The hub's answers to a batch of " + answered.batch().size() + " changes", e,
                    NOTHING_SETTLED);
        }
        // committed
        tally.pushed += done.tally.pushed;
        tally.conflicts += done.tally.conflicts;
        tally.rejected += done.tally.rejected;
        done.parked.forEach(scan::parked);
        sentAgain.addAll(done.sentAgain);
        done.versions.forEach(ownVersions::add); // the replica holds these records at these versions or later
        return new Ahead(done.notifications, done.sent);
    }

    /**
     * What one run of a push transaction did, taken over once it commits: counts, listener calls, the versions the
     * hub applied or merged, entries parked and changes to send again, and the batch marked sent.
     */
    private static final class Settled {
        final Tally tally = new Tally();
        final List<Runnable> notifications = new ArrayList<>();
        final List<Long> versions = new ArrayList<>();
        final List<OutboxEntry> parked = new ArrayList<>();
        final Set<String> sentAgain = new HashSet<>();
        List<OutboxEntry> sent = List.of();
    }

    private static List<OutboxEntry> markSent(ReplicaTransaction tx, List<OutboxEntry> batch) {
        List<OutboxEntry> sent = new ArrayList<>(batch.size());
        for (OutboxEntry e : batch) {
            OutboxEntry current = tx.outboxFor(e.collection(), e.id()).stream()
                    .filter(c -> c.sequence() == e.sequence()).findFirst().orElse(null);
            if (current == null) {
                continue; // folded away since it was selected (an unsynced insert, then deleted)
            }
            if (current.state() == OutboxState.PENDING) {
                current = current(tx, current).withState(OutboxState.SENT, null);
                tx.saveOutbox(current);
            }
            sent.add(current);
        }
        return sent;
    }

    /**
     * The entry with the record as the replica has it now. A local write leaves its entry holding the record's
     * whole state; whatever else changes a record's data also sets its version, and a settle that rebases an entry
     * refreshes its data. So while the record's version is still the entry's base version, the entry is current
     * and the record need not be read.
     */
    private static OutboxEntry current(ReplicaTransaction tx, OutboxEntry e) {
        return tx.version(e.collection(), e.id()) == e.baseVersion() ? e : withLocalData(tx, e);
    }

    /** An upsert carries the record as the replica has it now (it may have been merged since the capture). */
    private static OutboxEntry withLocalData(ReplicaTransaction tx, OutboxEntry e) {
        if (e.op() != Operation.UPSERT) {
            return e;
        }
        LocalRecord local = tx.read(e.collection(), e.id()).orElse(null);
        if (local == null || local.deleted() || local.data().equals(e.data())) {
            return e;
        }
        return new OutboxEntry(e.sequence(), e.changeId(), e.collection(), e.id(), e.op(), local.data(), e.fields(),
                e.baseVersion(), e.hlc(), e.state(), e.parked());
    }

    /**
     * Settles a batch with the hub's answers; adds the listener calls to make after the transaction, and the
     * versions of the changes the hub applied or merged (the replica then holds their records at that version or
     * later).
     *
     * <p>A change rejected for {@code validation} while a later batch of this push is in flight is sent once more,
     * at the end of the push, before it counts as rejected: it may reference a record that a later batch creates (a
     * task moved offline into a project created after the task, more than a batch of changes later; its outbox entry
     * keeps the task's first sequence). The hub tries such a change again within one request (docs/internals.md,
     * "Push"); this does the same across the batches of one push. Until then the change is pending again and its
     * record's later changes wait behind it.
     */
    private void settle(ReplicaTransaction tx, Answered answered, boolean laterSent, Settled run) {
        List<OutboxEntry> batch = answered.batch();
        List<PushResult> results = answered.results();
        for (int i = 0; i < batch.size(); i++) {
            OutboxEntry entry = batch.get(i);
            PushResult result = results.get(i);
            if (!entry.changeId().equals(result.changeId())) {
                throw new TransportException("the hub answered for change " + result.changeId() + " where "
                        + entry.changeId() + " was sent", false);
            }
            try {
                settleOne(tx, entry, result, laterSent, run);
            } catch (RuntimeException e) {
                throw notStored("The hub's answer to change " + entry.changeId() + " (" + entry.collection() + "/"
                        + entry.id() + ", " + result.status() + ")", e, NOTHING_SETTLED);
            }
        }
    }

    /** Settles one change with the hub's answer to it. */
    private void settleOne(ReplicaTransaction tx, OutboxEntry entry, PushResult result, boolean laterSent,
                           Settled run) {
        if (result instanceof PushResult.Applied a) {
            // the hub holds exactly what was sent; later local edits stay on top
            resolveEntry(tx, entry, a.version(), entry.data());
            run.versions.add(a.version());
            run.tally.pushed++;
        } else if (result instanceof PushResult.Duplicate d) {
            acknowledgeDuplicate(tx, entry, d.version());
            run.tally.pushed++;
        } else if (result instanceof PushResult.Merged m) {
            resolveEntry(tx, entry, m.version(), m.record());
            run.versions.add(m.version());
            run.tally.pushed++;
        } else if (result instanceof PushResult.Conflict c && "manual".equals(c.resolution())) {
            tx.saveOutbox(entry.withState(OutboxState.CONFLICT,
                    new OutboxEntry.Parked("manual", null, c.record(), c.version())));
            run.parked.add(entry);
            run.tally.conflicts++;
            Conflict conflict = toConflict(entry, c.record(), c.version());
            run.notifications.add(() -> onConflict.accept(conflict));
        } else if (result instanceof PushResult.Conflict c) {
            resolveEntry(tx, entry, c.version(), c.record());
            run.tally.conflicts++;
        } else if (result instanceof PushResult.Rejected r && r.reason() == RejectReason.VALIDATION && laterSent
                && !sentAgain.contains(entry.changeId()) && run.sentAgain.add(entry.changeId())) {
            tx.saveOutbox(entry.withState(OutboxState.PENDING, null));
            run.parked.add(entry); // its record is held back until the push reads the outbox from the start again
        } else if (result instanceof PushResult.Rejected r) {
            tx.saveOutbox(entry.withState(OutboxState.REJECTED,
                    new OutboxEntry.Parked(r.reason().wireName(), r.message(), null, 0)));
            run.tally.rejected++;
            RejectedChange rejected = toRejected(entry, r.reason().wireName(), r.message());
            run.notifications.add(() -> onRejected.accept(rejected));
        }
    }

    private void reject(OutboxEntry entry, RejectReason reason, String message, Tally tally) {
        store.inTransaction(tx -> {
            tx.saveOutbox(entry.withState(OutboxState.REJECTED, new OutboxEntry.Parked(reason.wireName(), message,
                    null, 0)));
            return null;
        });
        tally.rejected++;
        onRejected.accept(toRejected(entry, reason.wireName(), message));
    }

    /**
     * The entry is settled at {@code version} with the hub holding {@code hubData} (null = deleted): the entry is
     * removed, later entries are rebased, and the record takes that state overlaid with the later local edits. When
     * a pull delivered a newer hub state while a sent entry waited for its answer, that newer state wins.
     */
    static void resolveEntry(ReplicaTransaction tx, OutboxEntry entry, long version, Map<String, Object> hubData) {
        OutboxEntry.Parked seen = entry.state() == OutboxState.SENT ? entry.parked() : null;
        if (seen != null && seen.hubVersion() > version) {
            version = seen.hubVersion();
            hubData = seen.hubData();
        }
        tx.removeOutbox(entry.sequence());
        List<OutboxEntry> later = rebaseLater(tx, entry, version);
        if (entry.state() == OutboxState.SENT && seen == null && later.isEmpty() && entry.op() == Operation.UPSERT
                && Objects.equals(hubData, entry.data())) {
            // the hub holds what was sent, and nothing touched the record since: a local write would be a later
            // entry, a delivery would be remembered on the entry. The record is what was sent.
            tx.setVersion(entry.collection(), entry.id(), version);
            return;
        }
        LocalRecord local = tx.read(entry.collection(), entry.id()).orElse(null);
        Map<String, Object> next = overlay(hubData, local, later);
        if (local != null && Objects.equals(next, local.data())) {
            tx.setVersion(entry.collection(), entry.id(), version);   // the usual case: the hub took what was sent
        } else {
            tx.applyRemote(entry.collection(), entry.id(), next, version);
        }
        for (OutboxEntry e : later) {
            tx.saveOutbox(withLocalData(tx, e));
        }
    }

    /**
     * A duplicate settles the entry at {@code version} without telling what the hub stored: later edits are based
     * on it, and the record is marked stale so that the hub's state at that version is applied when delivered.
     */
    private static void acknowledgeDuplicate(ReplicaTransaction tx, OutboxEntry entry, long version) {
        OutboxEntry.Parked seen = entry.parked();
        if (seen != null && seen.hubVersion() > version) {
            resolveEntry(tx, entry, version, null);
            return;
        }
        tx.removeOutbox(entry.sequence());
        rebaseLater(tx, entry, version);
        LocalRecord local = tx.read(entry.collection(), entry.id()).orElse(null);
        if (local == null || local.baseVersion() < version) {
            tx.setVersion(entry.collection(), entry.id(), -version);
        }
    }

    private static List<OutboxEntry> rebaseLater(ReplicaTransaction tx, OutboxEntry entry, long version) {
        List<OutboxEntry> later = new ArrayList<>();
        for (OutboxEntry e : tx.outboxFor(entry.collection(), entry.id())) {
            if (e.sequence() > entry.sequence()) {
                OutboxEntry rebased = e.withBaseVersion(version);
                tx.saveOutbox(rebased);
                later.add(rebased);
            }
        }
        return later;
    }

    /** The hub's state with the local edits of {@code pending} entries laid over it. */
    static Map<String, Object> overlay(Map<String, Object> hubData, LocalRecord local, List<OutboxEntry> pending) {
        if (pending.isEmpty()) {
            return hubData;
        }
        Map<String, Object> localData = local == null ? null : local.data();
        if (localData == null) {
            return null;
        }
        if (hubData == null || pending.stream().anyMatch(e -> e.fields() == null || e.op() == Operation.DELETE)) {
            return localData;
        }
        Map<String, Object> out = new LinkedHashMap<>(hubData);
        for (OutboxEntry e : pending) {
            for (String f : e.fields()) {
                if (localData.containsKey(f)) {
                    out.put(f, localData.get(f));
                } else {
                    out.remove(f);
                }
            }
        }
        return out;
    }

    private Conflict toConflict(OutboxEntry entry, Map<String, Object> hub, long hubVersion) {
        return new Conflict(entry.collection(), entry.id(), entry.changeId(), entry.data(),
                entry.fields() == null ? (entry.data() == null ? Set.of() : entry.data().keySet()) : entry.fields(),
                hub, hubVersion);
    }

    static RejectedChange toRejected(OutboxEntry entry, String reason, String message) {
        return new RejectedChange(entry.collection(), entry.id(), entry.changeId(), entry.op(), entry.data(), reason,
                message);
    }

    static Conflict conflictOf(OutboxEntry entry) {
        OutboxEntry.Parked p = entry.parked();
        return new Conflict(entry.collection(), entry.id(), entry.changeId(), entry.data(),
                entry.fields() == null ? (entry.data() == null ? Set.of() : entry.data().keySet()) : entry.fields(),
                p == null ? null : p.hubData(), p == null ? 0 : p.hubVersion());
    }

    // ---- pull

    /**
     * Pulls until the hub has no more. Without a cursor (first sync, or after {@code cursor-expired}) this is an
     * initial sync: the first page is applied together with marking every record that has no local change stale,
     * the pages refresh the records the hub has, and once they are all applied the records left stale are
     * removed, so the replica ends up holding exactly the hub's current state plus its unsynced edits. A resync
     * interrupted by a crash is finished by the next pull that reaches the end.
     */
    private void pullAll(SyncTransport transport, Tally tally) {
        String cursor = store.cursor().orElse(null);
        boolean initial = cursor == null;
        boolean expiredOnce = false;
        Future<Integer> applying = null; // the previous page, applied by the store worker while the next is fetched
        while (true) {
            PullResponse page;
            try {
                page = transport.pull(new PullRequest(cursor, pullPageSize, Set.of()));
            } catch (RuntimeException | Error e) {
                Integer applied = applying == null ? Integer.valueOf(0) : settleAfter(applying, e);
                applying = null;
                if (applied != null && e instanceof ProblemException p && p.type() == ProblemType.CURSOR_EXPIRED
                        && cursor != null && !expiredOnce) {
                    tally.pulled += applied;
                    expiredOnce = true;
                    if (p.problem().latestVersion() != null) {
                        sharedUpTo = p.problem().latestVersion();
                        tally.queuedAgain += queueAgain(sharedUpTo, p.problem().seenUntil());
                    }
                    cursor = null;
                    initial = true;
                    continue;
                }
                throw e;
            }
            tally.pulled += applying == null ? 0 : await(applying);
            boolean asInitial = initial;
            if (asInitial) {
                ownVersions.clear(); // the initial sync marks every synced record stale: nothing is held any more
                resyncMayBeUnderWay = true;
                unconfirmedConflicts = conflictKeys(e -> e.parked() != null && e.parked().hubData() != null);
            } else if (unconfirmedConflicts == null) {
                unconfirmedConflicts = conflictKeys(e -> e.parked() != null && UNCONFIRMED.equals(e.parked().message()));
            }
            Long shared = sharedUpTo;
            applying = submit(() -> apply(page, asInitial, ownVersions, shared));
            initial = false;
            cursor = page.cursor();
            if (!page.hasMore()) {
                tally.pulled += await(applying);
                finishResync();
                sharedUpTo = null;
                return;
            }
        }
    }

    /**
     * The hub's history and this replica's part after {@code latestVersion} (the hub's data was restored from a
     * backup): queues the records held at later versions again as local changes, a page at a time, so that the
     * resync that follows keeps them and the push after it gives them back to the hub. They are stamped as of
     * {@code seenUntil}, when the newest change this replica had seen committed (the clock's now when the hub did not
     * say): later than what the backup holds, earlier than what the restored hub took since, and a replica that had
     * seen more of the lost history wins over one that had seen less. A crash in between leaves the cursor as it was,
     * so the next pull meets the same answer and goes on. Returns how many.
     */
    private int queueAgain(long latestVersion, Instant seenUntil) {
        String stamp = seenUntil == null ? clock.now()
                : new HlcStamp(seenUntil.toEpochMilli(), 0, HlcStamp.parse(clock.now()).node()).toString();
        int queued = 0;
        int n;
        do {
            n = store.inTransaction(tx -> tx.queueAgain(latestVersion, stamp, pullPageSize));
            queued += n;
        } while (n == pullPageSize);
        if (queued > 0) {
            LOG.log(System.Logger.Level.WARNING, "The hub's history ends at version " + latestVersion + ", before "
                    + "versions this replica holds: its data was restored from a backup or reset. " + queued
                    + " records it lacks are pushed again.");
        }
        return queued;
    }

    /**
     * Ends a resync whose pages are all applied (a no-op otherwise): removes the records the hub no longer has, a
     * page size at a time. A failure leaves the resync to the next pull.
     */
    private void finishResync() {
        if (!resyncMayBeUnderWay) {
            return;
        }
        while (store.inTransaction(tx -> tx.finishResync(pullPageSize)) == pullPageSize) {
            // more may be left
        }
        resyncMayBeUnderWay = false;
        noteConflictsTheHubNoLongerHas();
    }

    /** The records of the manual conflicts that {@code which} accepts. */
    private Set<RecordKey> conflictKeys(Predicate<OutboxEntry> which) {
        Set<RecordKey> keys = ConcurrentHashMap.newKeySet();
        for (OutboxEntry e : store.outbox(EnumSet.of(OutboxState.CONFLICT), Integer.MAX_VALUE)) {
            if (which.test(e)) {
                keys.add(new RecordKey(e.collection(), e.id()));
            }
        }
        return keys;
    }

    /** Marks or unmarks the record's conflict as not yet delivered by the resync under way; false if none to change. */
    private static boolean markConflict(ReplicaTransaction tx, RecordKey key, boolean unconfirmed) {
        return repark(tx, key, !unconfirmed, p -> new OutboxEntry.Parked(p.reason(), unconfirmed ? UNCONFIRMED : null,
                p.hubData(), p.hubVersion()));
    }

    /**
     * Rewrites the parked answer of the record's manual conflict with {@code to}, if the conflict is {@code marked}
     * {@link #UNCONFIRMED} (or not); false if there was none such.
     */
    private static boolean repark(ReplicaTransaction tx, RecordKey key, boolean marked,
                                  UnaryOperator<OutboxEntry.Parked> to) {
        boolean changed = false;
        for (OutboxEntry e : tx.outboxFor(key.collection(), key.id())) {
            OutboxEntry.Parked p = e.parked();
            if (e.state() == OutboxState.CONFLICT && p != null && UNCONFIRMED.equals(p.message()) == marked) {
                tx.saveOutbox(e.withState(OutboxState.CONFLICT, to.apply(p)));
                changed = true;
            }
        }
        return changed;
    }

    /**
     * At the end of a resync: the conflicts whose records it did not deliver now hold the hub's side as deleted, so
     * that accepting the hub's side deletes the record here instead of bringing back the state the conflict first
     * saw.
     */
    private void noteConflictsTheHubNoLongerHas() {
        Set<RecordKey> undelivered = unconfirmedConflicts;
        if (undelivered == null || undelivered.isEmpty()) {
            return;
        }
        store.inTransaction(tx -> {
            for (RecordKey key : undelivered) {
                repark(tx, key, true, p -> new OutboxEntry.Parked(p.reason(), null, null, p.hubVersion()));
            }
            return null;
        });
        undelivered.clear();
    }

    // ---- the store worker

    private <T> Future<T> submit(Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        storeWorker.execute(task);
        return task;
    }

    /**
     * Waits for the store worker's task and returns its result, or rethrows its failure. Waits out interrupts
     * (re-asserting them afterwards): store work never outlives the cycle that started it.
     */
    private static <T> T await(Future<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new SyncException("store work failed: " + cause, cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for the task (whose result is never null) while {@code primary} is on its way out; returns the task's
     * result, or throws {@code primary} with the task's failure added to it.
     */
    private static <T> T awaitAfter(Future<T> task, RuntimeException primary) {
        T result = settleAfter(task, primary);
        if (result == null) {
            throw primary;
        }
        return result;
    }

    /**
     * Waits for the task while {@code primary} is on its way out; returns the task's result, or null when it
     * failed, its failure then added to {@code primary}.
     */
    private static <T> T settleAfter(Future<T> task, Throwable primary) {
        try {
            return await(task);
        } catch (RuntimeException | Error taskFailure) {
            primary.addSuppressed(taskFailure);
            return null;
        }
    }

    /** Applies a delivered page and its cursor in one transaction; returns how many changes took effect. */
    public int apply(PullResponse page) {
        return apply(page, false, new OwnVersions(), null);
    }

    /**
     * Applies a page, passing over the echoes of this cycle's own settled pushes ({@code own}) without reading
     * their records: the replica holds each at that version or later, which is what {@link #applyOne} would find.
     */
    private int apply(PullResponse page, boolean initial, OwnVersions own, Long shared) {
        List<DeliveredChange> changes = own.isEmpty() ? page.changes()
                : page.changes().stream().filter(d -> !own.contains(d.version())).toList();
        Set<RecordKey> unconfirmed = unconfirmedConflicts == null ? Set.of() : unconfirmedConflicts;
        List<RecordKey> confirmed = new ArrayList<>();
        try {
            int applied = store.inTransaction(tx -> {
                confirmed.clear();
                if (initial) {
                    tx.beginResync();
                    unconfirmed.forEach(key -> markConflict(tx, key, true));
                }
                RecordKey.idsByCollection(changes, DeliveredChange::collection, DeliveredChange::id)
                        .forEach(tx::prefetch);
                int count = 0;
                for (DeliveredChange d : changes) {
                    if (shared != null) {
                        rebaseOnShared(tx, d, shared);
                    }
                    if (applyDelivered(tx, d)) {
                        count++;
                    }
                    RecordKey key = new RecordKey(d.collection(), d.id());
                    if (unconfirmed.contains(key) && markConflict(tx, key, false)) {
                        confirmed.add(key); // the resync delivered it: its conflict's hub side is what arrived
                    }
                }
                tx.setCursor(page.cursor());
                return count;
            });
            confirmed.forEach(unconfirmed::remove);
            return applied;
        } catch (SyncException e) {
            throw e;
        } catch (RuntimeException e) {
            // the store refused the page when it was written (a value its columns cannot hold, a constraint, a lock)
            throw notStored("A page of " + changes.size() + " changes from the hub" + versions(changes), e,
                    NOTHING_APPLIED);
        }
    }

    private static final String NOTHING_APPLIED = "nothing of the page was applied, and the next sync tries it again";
    private static final String NOTHING_SETTLED = "nothing of its batch was settled, and the next sync tries it again";

    /**
     * The store refused to take {@code what} from the hub: a {@link SyncException} saying so, why and what it left,
     * so that status, listeners and the retry see it as the engine's own failure.
     */
    private static SyncException notStored(String what, RuntimeException cause, String left) {
        String m = String.valueOf(cause.getMessage()).strip();
        return new SyncException(what + " could not be stored here: "
                + (m.endsWith(".") ? m.substring(0, m.length() - 1) : m) + "; " + left, cause);
    }

    /** Applies one delivered change, or fails naming it when the store refuses it. */
    private static boolean applyDelivered(ReplicaTransaction tx, DeliveredChange d) {
        try {
            return applyOne(tx, d);
        } catch (RuntimeException e) {
            throw notStored("The hub's " + d.op().wireName() + " of " + d.collection() + "/" + d.id() + " (version "
                    + d.version() + ")", e, NOTHING_APPLIED);
        }
    }

    /**
     * In a resync after the hub lost the part of its history after {@code shared}: the record's changes waiting to be
     * pushed that are based on a version of the lost part (those queued again, edits made on them, and a change sent
     * to the hub before it lost them) are based on the record's state as of
     * {@code shared} instead. When the hub has not changed the record since ({@code d} is at or below it), that is
     * {@code d}'s version, and the change applies as the device made it; when it has, {@code shared} itself, which is
     * no version of the record, so the change is a conflict the collection's policy decides (a version of the lost
     * part may equal one the restored hub gave another change, which would have passed for no conflict).
     */
    private static void rebaseOnShared(ReplicaTransaction tx, DeliveredChange d, long shared) {
        long base = d.version() <= shared ? d.version() : shared;
        for (OutboxEntry e : tx.outboxFor(d.collection(), d.id())) {
            boolean waiting = e.state() == OutboxState.PENDING || e.state() == OutboxState.SENT; // not parked
            if (waiting && e.baseVersion() >= shared && e.baseVersion() != base) {
                tx.saveOutbox(e.withBaseVersion(base));
            }
        }
    }

    private static String versions(List<DeliveredChange> changes) {
        return changes.isEmpty() ? "" : " (versions " + changes.get(0).version() + " to "
                + changes.get(changes.size() - 1).version() + ")";
    }

    private static boolean applyOne(ReplicaTransaction tx, DeliveredChange d) {
        if (LocalRecord.holds(tx.version(d.collection(), d.id()), d.version())) {
            return false; // already held: a re-delivery, or the echo of this replica's own push
        }
        LocalRecord local = tx.read(d.collection(), d.id()).orElse(null);
        List<OutboxEntry> pending = tx.outboxFor(d.collection(), d.id());
        Map<String, Object> hubData = d.op() == Operation.DELETE ? null : d.data();
        if (pending.isEmpty()) {
            if (hubData == null && local == null) {
                return false;
            }
            tx.applyRemote(d.collection(), d.id(), hubData, d.version());
            return true;
        }
        for (OutboxEntry e : pending) {
            if (e.state() == OutboxState.CONFLICT) {
                // the conflict's hub side moves on with the hub, so resolving it uses the latest hub state
                tx.saveOutbox(e.withState(OutboxState.CONFLICT, new OutboxEntry.Parked(e.parked().reason(),
                        e.parked().message(), hubData, d.version())));
            } else if (e.state() == OutboxState.SENT) {
                // remembered in case the answer to the sent change turns out to be a bare "duplicate"
                tx.saveOutbox(e.withState(OutboxState.SENT, new OutboxEntry.Parked("delivered", null, hubData,
                        d.version())));
            }
        }
        Map<String, Object> merged = overlay(hubData, local, pending);
        if (local != null && Objects.equals(merged, local.data())) {
            tx.setVersion(d.collection(), d.id(), d.version());
        } else {
            tx.applyRemote(d.collection(), d.id(), merged, d.version());
        }
        return true;
    }
}
