package io.tether.sync.tck;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncRecord;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.HookVetoException;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.HubWrite;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.ScopePolicy;
import io.tether.sync.spi.ScopeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link HubStore} contract. Adopt it with a subclass that creates a fresh, empty store:
 *
 * <pre>{@code
 * class MyHubStoreTest extends HubStoreKit {
 *     @Override protected HubStore createHubStore() { return new MyHubStore(freshDatabase()); }
 * }
 * }</pre>
 *
 * The kit opens the store with a {@link TckStoreContext} over the {@link TckSchema} collections and closes it
 * after each test. Rules are named {@code [hub-store-N]}.
 */
public abstract class HubStoreKit {
    /** Every collection and scope. */
    protected static final PullFilter ALL = new PullFilter(Map.of("tasks", ScopeSet.ALL, "notes", ScopeSet.ALL));

    protected HubStore store;
    protected TckStoreContext context;

    /** A fresh, empty store, not yet opened. */
    protected abstract HubStore createHubStore();

    /**
     * A store over the same data as {@code closed}, which the kit has closed: a simulated restart. Not yet opened.
     * Needed when {@link #features()} declares {@link StoreFeatures#restart()}.
     */
    protected HubStore reopen(HubStore closed) {
        throw new UnsupportedOperationException("override reopen(HubStore) to run the restart rules");
    }

    /** The store's optional capabilities. Default: none. */
    protected StoreFeatures features() {
        return StoreFeatures.defaults();
    }

    @BeforeEach
    void openStore() {
        context = new TckStoreContext(Role.HUB);
        store = createHubStore();
        store.open(context);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {   // null when the factory skipped the test (an assumption failed)
            store.close();
            store = null;
        }
    }

    // ---- helpers

    protected long write(String collection, String id, Map<String, Object> data, String scope) {
        return store.inTransaction(tx -> tx.write(upsert(collection, id, data, scope)));
    }

    protected long writeTask(String id, String owner, String title) {
        return write("tasks", id, TckSchema.task(id, owner, title), owner);
    }

    protected long deleteRecord(String collection, String id, String scope) {
        return store.inTransaction(tx -> tx.write(new HubWrite(collection, id, Operation.DELETE, null, scope,
                Set.of(), context.clock().now())));
    }

    protected HubWrite upsert(String collection, String id, Map<String, Object> data, String scope) {
        return new HubWrite(collection, id, Operation.UPSERT, data, scope, data.keySet(), context.clock().now());
    }

    protected Optional<HubRecord> read(String collection, String id) {
        return store.inTransaction(tx -> tx.read(collection, id));
    }

    protected List<LogEntry> log() {
        return store.changesSince(0, Long.MAX_VALUE, Integer.MAX_VALUE, ALL);
    }

    private static List<Long> versions(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::version).toList();
    }

    private static List<String> ids(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::id).toList();
    }

    /** The hub's incremental pull algorithm: read head first, then every entry after the cursor up to it. */
    private long pullInto(long cursor, Set<String> seen) {
        long head = store.headVersion();
        store.changesSince(cursor, head, Integer.MAX_VALUE, ALL).forEach(e -> seen.add(e.id()));
        return head;
    }

    // ---- rules

    @Nested
    @DisplayName("transactions")
    class Transactions {

        @Test
        @DisplayName("[hub-store-1] a transaction that throws leaves nothing behind: records, log, head, dedup")
        void rollbackLeavesNothing() {
            long v1 = writeTask("t1", "alice", "first");
            context.clear();
            RuntimeException boom = new IllegalStateException("the TCK aborts this transaction");
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.inTransaction(tx -> {
                tx.write(upsert("tasks", "t2", TckSchema.task("t2", "alice", "never"), "alice"));
                long v = tx.write(upsert("tasks", "t1", TckSchema.task("t1", "alice", "changed"), "alice"));
                tx.recordApplied("client-a", "client-a:000000000001", v);
                throw boom;
            }));
            assertSame(boom, thrown, "inTransaction must propagate the work's exception unchanged");
            assertTrue(store.get("tasks", "t2").isEmpty(), "a rolled-back insert is visible");
            assertTrue(read("tasks", "t2").isEmpty(), "a rolled-back insert left a record or tombstone");
            assertEquals("first", store.get("tasks", "t1").orElseThrow().data().get("title"),
                    "a rolled-back update is visible");
            assertEquals(v1, read("tasks", "t1").orElseThrow().version(), "a rolled-back update moved the version");
            assertEquals(v1, store.headVersion(), "a rolled-back transaction moved headVersion");
            assertEquals(List.of(v1), versions(log()), "a rolled-back transaction left change-log entries");
            assertTrue(store.inTransaction(tx -> tx.appliedVersion("client-a", "client-a:000000000001")).isEmpty(),
                    "a rolled-back transaction left a dedup entry");
            assertTrue(context.logged().isEmpty(), "a rolled-back transaction was published for live delivery");
            assertTrue(context.batches().isEmpty(), "a rolled-back transaction was published as a change batch");
        }

        @Test
        @DisplayName("[hub-store-2] versions are unique, positive and grow in commit order; headVersion is the highest")
        void versionsGrow() {
            assertEquals(0, store.headVersion(), "an empty store has headVersion 0");
            long v1 = writeTask("t1", "alice", "a");
            long v2 = writeTask("t2", "alice", "b");
            List<Long> both = store.inTransaction(tx -> List.of(
                    tx.write(upsert("tasks", "t3", TckSchema.task("t3", "alice", "c"), "alice")),
                    tx.write(upsert("tasks", "t1", TckSchema.task("t1", "alice", "a2"), "alice"))));
            assertTrue(v1 > 0, "versions are positive");
            assertTrue(v2 > v1, "a later commit got a smaller version: " + v1 + ", " + v2);
            assertTrue(both.get(0) > v2 && both.get(1) > both.get(0),
                    "writes of one transaction must get distinct, growing versions above earlier commits: " + both);
            assertEquals(both.get(1), store.headVersion(), "headVersion is the highest committed version");
            assertEquals(both.get(1), read("tasks", "t1").orElseThrow().version(), "a record carries its last version");
            assertEquals(List.of(v1, v2, both.get(0), both.get(1)), versions(log()),
                    "every committed write has its own change-log entry");
        }

        @Test
        @DisplayName("[hub-store-3] a pull never skips a change that commits late (open transaction holds a version)")
        void lateCommitNotSkipped() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                CountDownLatch wrote = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                Future<Long> slow = pool.submit(() -> store.inTransaction(tx -> {
                    long v = tx.write(upsert("tasks", "slow", TckSchema.task("slow", "alice", "late"), "alice"));
                    wrote.countDown();
                    await(release);
                    return v;
                }));
                assertTrue(wrote.await(5, TimeUnit.SECONDS), "the slow transaction did not start");
                Future<Long> fast = pool.submit(() -> writeTask("fast", "alice", "early"));
                Set<String> seen = new HashSet<>();
                Future<Long> firstPull = pool.submit(() -> pullInto(0, seen));
                // Give the fast writer and the puller time to finish if the store lets them run concurrently.
                waitQuietly(fast, firstPull);
                release.countDown();
                slow.get(10, TimeUnit.SECONDS);
                fast.get(10, TimeUnit.SECONDS);
                long cursor = firstPull.get(10, TimeUnit.SECONDS);
                pullInto(cursor, seen);
                assertEquals(Set.of("slow", "fast"), seen,
                        "a change that committed after a pull read headVersion was skipped by the next pull from"
                                + " that cursor (versions must be assigned in commit order)");
            } finally {
                release(pool);
            }
        }

        @Test
        @DisplayName("[hub-store-18] transactions that read and rewrite one record at once each see the others' writes (no lost update)")
        void readModifyWriteOfOneRecordIsNeverLost() throws Exception {
            writeTask("counter", "alice", "0");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 2; round++) {
                    // the first transaction reads, then gives the second half a second to read too before it writes:
                    // a store that isolates them keeps the second from reading until the first has committed
                    CountDownLatch firstRead = new CountDownLatch(1);
                    CountDownLatch secondRead = new CountDownLatch(1);
                    Future<?> first = pool.submit(() -> incrementCounter(() -> {
                        firstRead.countDown();
                        awaitQuietly(secondRead, 500);
                    }));
                    assertTrue(firstRead.await(10, TimeUnit.SECONDS), "the first transaction did not read the record");
                    Future<?> second = pool.submit(() -> incrementCounter(secondRead::countDown));
                    first.get(60, TimeUnit.SECONDS);
                    second.get(60, TimeUnit.SECONDS);
                }
                assertEquals("4", read("tasks", "counter").orElseThrow().data().get("title"), "a transaction read "
                        + "the record while another that wrote it was open, and overwrote that write: a hub store must "
                        + "keep a transaction from reading a record another open transaction writes (or fail it)");
            } finally {
                release(pool);
            }
        }

        /**
         * Reads the counter, runs {@code afterRead}, and writes the counter back one higher, as a push does; a failed
         * attempt is retried.
         */
        private void incrementCounter(Runnable afterRead) {
            for (int attempt = 1; ; attempt++) {
                try {
                    store.inTransaction(tx -> {
                        tx.prefetch("tasks", List.of("counter"));
                        HubRecord counter = tx.read("tasks", "counter").orElseThrow();
                        afterRead.run();
                        int n = Integer.parseInt((String) counter.data().get("title"));
                        return tx.write(upsert("tasks", "counter", TckSchema.task("counter", "alice",
                                Integer.toString(n + 1)), "alice"));
                    });
                    return;
                } catch (RuntimeException e) {
                    if (attempt == 20) {
                        throw e; // a store may fail one of two racing transactions, not every attempt
                    }
                }
            }
        }

        @Test
        @DisplayName("[hub-store-3] a pull never skips a change under concurrent writers (seeded)")
        void concurrentWritersNotSkipped() throws Exception {
            long seed = Seeds.one();
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                int writers = 4;
                int perWriter = 40;
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    Random random = new Random(seed + w);
                    int writer = w;
                    running.add(pool.submit(() -> {
                        for (int i = 0; i < perWriter; i++) {
                            String id = "w" + writer + "-" + i;
                            store.inTransaction(tx -> {
                                long v = tx.write(upsert("tasks", id, TckSchema.task(id, "alice", id), "alice"));
                                if (random.nextInt(4) == 0) {
                                    sleepMicros(random.nextInt(2000));
                                }
                                return v;
                            });
                        }
                    }));
                }
                Set<String> seen = Collections.synchronizedSet(new HashSet<>());
                long cursor = 0;
                while (running.stream().anyMatch(f -> !f.isDone())) {
                    cursor = pullInto(cursor, seen);
                }
                for (Future<?> f : running) {
                    f.get(30, TimeUnit.SECONDS);
                }
                pullInto(cursor, seen);
                Set<String> missing = new TreeSet<>();
                for (int w = 0; w < writers; w++) {
                    for (int i = 0; i < perWriter; i++) {
                        if (!seen.contains("w" + w + "-" + i)) {
                            missing.add("w" + w + "-" + i);
                        }
                    }
                }
                assertTrue(missing.isEmpty(), "pulls skipped committed changes " + missing + "; " + Seeds.rerun(seed));
            } finally {
                release(pool);
            }
        }
    }

    @Nested
    @DisplayName("records")
    class Records {

        @Test
        @DisplayName("[hub-store-16] after prefetch, reads and stamps see the transaction's own writes, as without it")
        void prefetchChangesNoOutcome() {
            String h1 = context.clock().now();
            long v1 = store.inTransaction(tx -> tx.write(new HubWrite("tasks", "t1", Operation.UPSERT,
                    TckSchema.task("t1", "alice", "a"), "alice", Set.of("id", "owner_id", "title", "done", "n"), h1)));
            long[] versions = store.inTransaction(tx -> {
                tx.prefetch("tasks", List.of("t1", "t2", "t1"));
                tx.prefetch("no-such-collection", List.of("x"));
                assertEquals(v1, tx.read("tasks", "t1").orElseThrow().version());
                assertTrue(tx.read("tasks", "t2").isEmpty(), "t2 does not exist yet");
                long a = tx.write(new HubWrite("tasks", "t2", Operation.UPSERT, TckSchema.task("t2", "alice", "new"),
                        "alice", Set.of("id", "owner_id", "title", "done", "n"), context.clock().now()));
                long b = tx.write(new HubWrite("tasks", "t1", Operation.UPSERT, TckSchema.task("t1", "alice", "b"),
                        "alice", Set.of("title"), context.clock().now()));
                long c = tx.write(new HubWrite("tasks", "t1", Operation.UPSERT, TckSchema.task("t1", "alice", "c"),
                        "alice", Set.of("title"), context.clock().now()));
                assertEquals(a, tx.read("tasks", "t2").orElseThrow().version(), "a prefetched missing record, written");
                HubRecord t1 = tx.read("tasks", "t1").orElseThrow();
                assertEquals(c, t1.version(), "the latest write of a prefetched record");
                assertEquals("c", t1.data().get("title"));
                assertEquals(c, t1.stamps().get("title").version(), "stamps build on the transaction's writes");
                assertEquals(v1, t1.stamps().get("done").version(), "and keep the stored ones");
                return new long[] {a, b, c};
            });
            HubRecord t1 = read("tasks", "t1").orElseThrow();
            assertEquals(versions[2], t1.version());
            assertEquals(versions[2], t1.stamps().get("title").version());
            assertEquals(v1, t1.stamps().get("done").version());
            assertEquals(versions[0], read("tasks", "t2").orElseThrow().version());
        }

        @Test
        @DisplayName("[hub-store-4] read returns the record with its version, scope, hlc and per-field stamps")
        void readReturnsStoredState() {
            String h1 = context.clock().now();
            long v1 = store.inTransaction(tx -> tx.write(new HubWrite("tasks", "t1", Operation.UPSERT,
                    TckSchema.task("t1", "alice", "a"), "alice", Set.of("id", "owner_id", "title", "done", "n"), h1)));
            String h2 = context.clock().now();
            long v2 = store.inTransaction(tx -> tx.write(new HubWrite("tasks", "t1", Operation.UPSERT,
                    TckSchema.task("t1", "alice", "b"), "alice", Set.of("title"), h2)));
            HubRecord r = read("tasks", "t1").orElseThrow();
            assertEquals(TckSchema.task("t1", "alice", "b"), r.data(), "data");
            assertEquals(v2, r.version(), "version of the last write");
            assertEquals("alice", r.scope(), "scope");
            assertEquals(h2, r.hlc(), "hlc of the last write");
            assertEquals(new FieldStamp(v2, h2), r.stamps().get("title"), "stamp of a field the last write changed");
            assertEquals(new FieldStamp(v1, h1), r.stamps().get("done"), "stamp of a field only the first write changed");
            SyncRecord live = store.get("tasks", "t1").orElseThrow();
            assertEquals(TckSchema.task("t1", "alice", "b"), live.data(), "RecordQuery.get data");
            assertEquals(v2, live.version(), "RecordQuery.get version");
            assertTrue(read("tasks", "never").isEmpty(), "a record never written reads as empty");
        }

        @Test
        @DisplayName("[hub-store-5] a delete leaves a tombstone with its version and scope, and a delete log entry")
        void deleteLeavesTombstone() {
            writeTask("t1", "alice", "a");
            long v = deleteRecord("tasks", "t1", "alice");
            HubRecord tomb = read("tasks", "t1").orElseThrow(() -> new AssertionError("a delete left no tombstone"));
            assertTrue(tomb.deleted(), "a deleted record reads with null data");
            assertEquals(v, tomb.version(), "the tombstone carries the delete's version");
            assertEquals("alice", tomb.scope(), "the tombstone keeps the scope");
            assertTrue(store.get("tasks", "t1").isEmpty(), "RecordQuery.get returns a deleted record");
            assertTrue(store.list("tasks").isEmpty(), "RecordQuery.list returns a deleted record");
            LogEntry last = log().get(log().size() - 1);
            assertEquals(v, last.version());
            assertEquals(Operation.DELETE, last.op(), "the delete is logged as a delete");
            assertNull(last.toDelivered().data(), "a delete is delivered without data");
        }

        @Test
        @DisplayName("[hub-store-6] RecordQuery lists live records ordered by id and counts them")
        void listOrderedById() {
            writeTask("t3", "alice", "c");
            writeTask("t1", "bob", "a");
            writeTask("t2", "alice", "b");
            write("notes", "n1", TckSchema.note("n1", "x"), ScopePolicy.SHARED);
            deleteRecord("tasks", "t2", "alice");
            assertEquals(List.of("t1", "t3"), store.list("tasks").stream().map(SyncRecord::id).toList());
            assertEquals(2, store.count("tasks"));
            assertEquals(1, store.count("notes"), "collections are kept apart");
        }
    }

    @Nested
    @DisplayName("change log")
    class ChangeLog {

        @Test
        @DisplayName("[hub-store-7] changesSince returns every entry with after < version <= upTo, in order, at most limit")
        void changesSinceBoundsAndOrder() {
            long v1 = writeTask("t1", "alice", "a");
            long v2 = writeTask("t2", "alice", "b");
            long v3 = writeTask("t1", "alice", "a2");
            long v4 = deleteRecord("tasks", "t2", "alice");
            long v5 = writeTask("t3", "alice", "c");
            List<LogEntry> all = log();
            assertEquals(List.of(v1, v2, v3, v4, v5), versions(all), "every write, in version order");
            assertEquals(List.of("t1", "t2", "t1", "t2", "t3"), ids(all));
            assertEquals(List.of(v2, v3, v4), versions(store.changesSince(v1, v4, 100, ALL)), "after < v <= upTo");
            assertEquals(List.of(v2, v3), versions(store.changesSince(v1, v5, 2, ALL)), "at most limit, lowest first");
            assertEquals(TckSchema.task("t1", "alice", "a2"), all.get(2).data(), "an entry holds the record after it");
            assertEquals("alice", all.get(2).scope(), "an entry holds the record's scope");
            assertTrue(store.changesSince(v5, v5, 100, ALL).isEmpty(), "nothing after the head");
        }

        @Test
        @DisplayName("[hub-store-17] committedAt gives the commit time of the entry at a version, empty for one the log does not hold; lastVersionCommittedBy the newest version committed by a time (a store that marks cursors)")
        void commitTimesMarkTheLog() throws InterruptedException {
            long v1 = writeTask("t1", "alice", "a");
            assumeTrue(store.committedAt(v1).isPresent(), "the store does not give commit times: the hub's cursors "
                    + "go unmarked, and a restore is recognised only by a cursor ahead of the head");
            Thread.sleep(3); // commit times a millisecond apart at least
            long v2 = writeTask("t2", "alice", "b");
            Thread.sleep(3);
            long v3 = writeTask("t1", "alice", "a2");
            List<LogEntry> all = log();
            for (LogEntry e : all) {
                assertEquals(Optional.of(e.committedAt().toEpochMilli()),
                        store.committedAt(e.version()).map(Instant::toEpochMilli), "the entry's own time, v" + e.version());
            }
            assertEquals(Optional.empty(), store.committedAt(v3 + 1), "a version not logged yet");
            assertEquals(Optional.empty(), store.committedAt(0), "version 0");
            assertEquals(v3, store.lastVersionCommittedBy(all.get(2).committedAt().plusSeconds(3600)));
            assertEquals(v2, store.lastVersionCommittedBy(all.get(1).committedAt()), "at or before, by the millisecond");
            assertEquals(v1, store.lastVersionCommittedBy(Instant.ofEpochMilli(all.get(1).committedAt().toEpochMilli()
                    - 1)));
            assertEquals(0, store.lastVersionCommittedBy(all.get(0).committedAt().minusSeconds(3600)), "none: 0");
        }

        @Test
        @DisplayName("[hub-store-8] changesSince and snapshot return only the filter's collections and scopes")
        void filterIsolatesScopes() {
            writeTask("a1", "alice", "a");
            writeTask("b1", "bob", "b");
            write("notes", "n1", TckSchema.note("n1", "shared"), ScopePolicy.SHARED);
            writeTask("c1", "carol", "c");
            deleteRecord("tasks", "b1", "bob");
            PullFilter aliceTasks = new PullFilter(Map.of("tasks", ScopeSet.of(Set.of("alice"))));
            PullFilter aliceAll = new PullFilter(Map.of("tasks", ScopeSet.of(Set.of("alice")),
                    "notes", ScopeSet.of(Set.of(ScopePolicy.SHARED))));
            PullFilter bobTasks = new PullFilter(Map.of("tasks", ScopeSet.of(Set.of("bob"))));
            assertEquals(List.of("a1"), ids(store.changesSince(0, Long.MAX_VALUE, 100, aliceTasks)));
            assertEquals(List.of("a1", "n1"), ids(store.changesSince(0, Long.MAX_VALUE, 100, aliceAll)));
            assertEquals(List.of("b1", "b1"), ids(store.changesSince(0, Long.MAX_VALUE, 100, bobTasks)),
                    "a scope sees its own deletes");
            assertEquals(List.of("a1"), ids(store.snapshot(0, Long.MAX_VALUE, 100, aliceTasks)));
            assertEquals(List.of("a1", "n1"), ids(store.snapshot(0, Long.MAX_VALUE, 100, aliceAll)));
            assertTrue(store.snapshot(0, Long.MAX_VALUE, 100, bobTasks).isEmpty(), "a snapshot holds no tombstones");
            assertTrue(store.changesSince(0, Long.MAX_VALUE, 100, new PullFilter(Map.of())).isEmpty(),
                    "an empty filter accepts nothing");
        }

        @Test
        @DisplayName("[hub-store-9] snapshot pages live records at their latest version, ordered by version, up to upTo")
        void snapshotPages() {
            long v1 = writeTask("t1", "alice", "a");
            long v2 = writeTask("t2", "alice", "b");
            long v3 = writeTask("t3", "alice", "c");
            long v4 = writeTask("t1", "alice", "a2");
            deleteRecord("tasks", "t2", "alice");
            long head = store.headVersion();
            long v6 = writeTask("t4", "alice", "after the snapshot's head");
            List<LogEntry> page1 = store.snapshot(0, head, 1, ALL);
            assertEquals(List.of(v3), versions(page1), "first page: lowest live version first, at most limit");
            List<LogEntry> page2 = store.snapshot(v3, head, 10, ALL);
            assertEquals(List.of(v4), versions(page2), "next page continues after the last version delivered");
            assertEquals(Operation.UPSERT, page2.get(0).op(), "snapshot entries are upserts");
            assertEquals(TckSchema.task("t1", "alice", "a2"), page2.get(0).data(), "the latest state");
            assertFalse(versions(store.snapshot(0, head, 10, ALL)).contains(v6), "nothing above upTo");
            assertFalse(versions(store.snapshot(0, head, 10, ALL)).contains(v1), "no superseded state");
            assertFalse(versions(store.snapshot(0, head, 10, ALL)).contains(v2), "no deleted record");
        }
    }

    @Nested
    @DisplayName("dedup")
    class Dedup {

        @Test
        @DisplayName("[hub-store-10] recordApplied is visible to later transactions, keyed by client and change id")
        void dedupRemembered() {
            long v = store.inTransaction(tx -> {
                long written = tx.write(upsert("tasks", "t1", TckSchema.task("t1", "alice", "a"), "alice"));
                tx.recordApplied("client-a", "client-a:000000000001", written);
                return written;
            });
            assertEquals(OptionalLong.of(v),
                    store.inTransaction(tx -> tx.appliedVersion("client-a", "client-a:000000000001")),
                    "an applied change must be remembered with the version it produced");
            assertTrue(store.inTransaction(tx -> tx.appliedVersion("client-b", "client-a:000000000001")).isEmpty(),
                    "dedup is keyed by client id too");
            assertTrue(store.inTransaction(tx -> tx.appliedVersion("client-a", "client-a:000000000002")).isEmpty(),
                    "a change never applied is unknown");
        }

        @Test
        @DisplayName("[hub-store-17] after prefetchApplied, appliedVersion sees earlier and own recordApplied, as "
                + "without it")
        void prefetchAppliedChangesNoOutcome() {
            long v = store.inTransaction(tx -> {
                long written = tx.write(upsert("tasks", "t1", TckSchema.task("t1", "alice", "a"), "alice"));
                tx.recordApplied("client-a", "client-a:000000000001", written);
                return written;
            });
            store.inTransaction(tx -> {
                tx.prefetchApplied("client-a", List.of("client-a:000000000001", "client-a:000000000002",
                        "client-a:000000000001"));
                tx.prefetchApplied("client-b", List.of("client-a:000000000001"));
                assertEquals(OptionalLong.of(v), tx.appliedVersion("client-a", "client-a:000000000001"));
                assertTrue(tx.appliedVersion("client-a", "client-a:000000000002").isEmpty());
                assertTrue(tx.appliedVersion("client-b", "client-a:000000000001").isEmpty(), "keyed by client too");
                long w = tx.write(upsert("tasks", "t2", TckSchema.task("t2", "alice", "b"), "alice"));
                tx.recordApplied("client-a", "client-a:000000000002", w);
                assertEquals(OptionalLong.of(w), tx.appliedVersion("client-a", "client-a:000000000002"),
                        "a prefetched unknown change, recorded in this transaction");
                return null;
            });
            assertTrue(store.inTransaction(tx -> tx.appliedVersion("client-a", "client-a:000000000002")).isPresent());
        }
    }

    @Nested
    @DisplayName("retention")
    class Retention {

        @Test
        @DisplayName("[hub-store-11] compact drops superseded entries and old tombstones and raises the horizon")
        void compactRaisesHorizon() throws InterruptedException {
            assertEquals(0, store.horizon(), "a fresh store has horizon 0");
            writeTask("t1", "alice", "a");
            long v2 = writeTask("t1", "alice", "a2");
            writeTask("t2", "alice", "b");
            long v4 = deleteRecord("tasks", "t2", "alice");
            long v5 = writeTask("t3", "alice", "c");
            Thread.sleep(5);
            long horizon = store.compact(Instant.now());
            assertEquals(v4, horizon, "the horizon is the highest dropped tombstone version");
            assertEquals(v4, store.horizon(), "horizon() reports the compacted horizon");
            assertEquals(List.of(v2, v5), versions(log()),
                    "after compaction only the latest entry of each live record remains");
            assertTrue(read("tasks", "t2").isEmpty(), "a compacted tombstone is gone");
            assertEquals(v5, store.headVersion(), "compaction never lowers headVersion");
        }

        @Test
        @DisplayName("[hub-store-12] compaction with an old cutoff keeps tombstones, the horizon and each record's latest entry")
        void compactKeepsRecentHistory() {
            writeTask("t1", "alice", "a");
            long v2 = writeTask("t1", "alice", "a2");
            writeTask("t2", "alice", "b");
            long v4 = deleteRecord("tasks", "t2", "alice");
            long horizon = store.compact(Instant.EPOCH);
            assertEquals(0, horizon, "no tombstone is older than the cutoff, so the horizon stays");
            List<Long> left = versions(log());
            assertTrue(left.containsAll(List.of(v2, v4)), "a record's latest entry (and tombstone) must stay: " + left);
            assertTrue(read("tasks", "t2").orElseThrow().deleted(), "a recent tombstone stays");
        }
    }

    @Nested
    @DisplayName("publication")
    class Publication {

        @Test
        @DisplayName("[hub-store-13] application writes run the hooks, are logged, and are published LOCAL after commit")
        void applicationWritesCaptured() {
            context.onCommitted(batch -> batch.changes().forEach(e -> assertEquals(e.op() == Operation.DELETE,
                    store.get(e.collection(), e.id()).isEmpty(), "a batch was published before its commit")));
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "from the application"));
            store.delete("tasks", "t1");
            store.put("notes", "n1", TckSchema.note("n1", "x"));
            assertEquals(3, context.hookCalls().size(), "the hooks see every application write");
            assertEquals(Role.HUB, context.hookCalls().get(0).role());
            List<LogEntry> log = log();
            assertEquals(List.of("t1", "t1", "n1"), ids(log), "application writes are in the change log");
            assertEquals(List.of(Operation.UPSERT, Operation.DELETE, Operation.UPSERT),
                    log.stream().map(LogEntry::op).toList());
            assertEquals("alice", log.get(0).scope(), "the scope of an application write is its scope field");
            assertEquals(ScopePolicy.SHARED, log.get(2).scope(), "an unscoped collection's records are SHARED");
            List<ChangeBatch> batches = context.batches();
            assertEquals(3, batches.size(), "one batch per committed application write");
            assertTrue(batches.stream().allMatch(b -> b.origin() == Origin.LOCAL), "application writes are LOCAL");
            ChangeEvent first = batches.get(0).changes().get(0);
            assertEquals(log.get(0).version(), first.version(), "a hub event carries the record's version");
            assertTrue(batches.get(1).sequence() > batches.get(0).sequence(), "batch sequences grow");
            store.delete("tasks", "never");
            assertEquals(log.size(), log().size(), "deleting a missing record does nothing");
        }

        @Test
        @DisplayName("[hub-store-13] a vetoed application write leaves nothing and publishes nothing")
        void vetoedWriteLeavesNothing() {
            context.veto("t1");
            assertThrows(HookVetoException.class,
                    () -> store.put("tasks", "t1", TckSchema.task("t1", "alice", "vetoed")));
            assertTrue(store.get("tasks", "t1").isEmpty(), "a vetoed write is stored");
            assertEquals(0, store.headVersion(), "a vetoed write took a version");
            assertTrue(context.batches().isEmpty(), "a vetoed write was published");
        }

        @Test
        @DisplayName("[hub-store-14] committed log entries are published after commit in version order, never for a rollback")
        void loggedInOrder() {
            long v1 = writeTask("t1", "alice", "a");
            long v2 = writeTask("t2", "alice", "b");
            try {
                store.inTransaction(tx -> {
                    tx.write(upsert("tasks", "t3", TckSchema.task("t3", "alice", "c"), "alice"));
                    throw new IllegalStateException("the TCK aborts this transaction");
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
            long v3 = writeTask("t1", "alice", "a2");
            assertEquals(List.of(v1, v2, v3), versions(context.logged()),
                    "StoreContext.logged must receive exactly the committed entries, in version order");
        }
    }

    @Nested
    @DisplayName("restart")
    class Restart {

        @Test
        @DisplayName("[hub-store-15] records, change log, head, horizon and dedup survive a restart")
        void survivesRestart() throws InterruptedException {
            assumeTrue(features().restart(),
                    "the store does not declare restart: override features() and reopen(HubStore) to enable");
            writeTask("t1", "alice", "a");
            writeTask("t2", "alice", "b");
            deleteRecord("tasks", "t2", "alice");
            Thread.sleep(5);
            store.compact(Instant.now());
            long v = store.inTransaction(tx -> {
                long written = tx.write(upsert("tasks", "t3", TckSchema.task("t3", "alice", "c"), "alice"));
                tx.recordApplied("client-a", "client-a:000000000007", written);
                return written;
            });
            List<LogEntry> before = log();
            long horizon = store.horizon();
            store.close();
            store = reopen(store);
            context = new TckStoreContext(Role.HUB);
            store.open(context);
            assertEquals(v, store.headVersion(), "headVersion after restart");
            assertEquals(horizon, store.horizon(), "horizon after restart");
            assertEquals(versions(before), versions(log()), "change log after restart");
            assertEquals(List.of("t1", "t3"), store.list("tasks").stream().map(SyncRecord::id).toList());
            assertEquals(OptionalLong.of(v),
                    store.inTransaction(tx -> tx.appliedVersion("client-a", "client-a:000000000007")),
                    "dedup entries must survive a restart (a retried push must not apply twice)");
            long next = writeTask("t4", "alice", "d");
            assertTrue(next > v, "versions keep growing after a restart");
        }
    }

    // ---- concurrency helpers

    /** Waits for the latch at most {@code millis}; a timeout is an answer, not a failure. */
    static void awaitQuietly(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                fail("the TCK waited 10 s for a latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleepMicros(long micros) {
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitQuietly(Future<?>... futures) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception blockedOrFailed) {
                // a store may block writers and readers behind an open transaction: that is allowed
            }
        }
    }

    private static void release(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
