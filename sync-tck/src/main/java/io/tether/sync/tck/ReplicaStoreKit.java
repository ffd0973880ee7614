package io.tether.sync.tck;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncRecord;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.HookVetoException;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link ReplicaStore} contract. Adopt it with a subclass that creates a fresh, empty store:
 *
 * <pre>{@code
 * class MyReplicaStoreTest extends ReplicaStoreKit {
 *     @Override protected ReplicaStore createReplicaStore() { return new MyReplicaStore(freshFile()); }
 * }
 * }</pre>
 *
 * The kit opens the store with a {@link TckStoreContext} and closes it after each test. Rules are named
 * {@code [replica-store-N]}.
 */
public abstract class ReplicaStoreKit {
    protected static final Set<OutboxState> EVERY_STATE = EnumSet.allOf(OutboxState.class);

    protected ReplicaStore store;
    protected TckStoreContext context;

    /** A fresh, empty store, not yet opened. */
    protected abstract ReplicaStore createReplicaStore();

    /**
     * A store over the same data as {@code closed}, which the kit has closed: a simulated restart. Not yet opened.
     * Needed when {@link #features()} declares {@link StoreFeatures#restart()}.
     */
    protected ReplicaStore reopen(ReplicaStore closed) {
        throw new UnsupportedOperationException("override reopen(ReplicaStore) to run the restart rules");
    }

    /** The store's optional capabilities. Default: none. */
    protected StoreFeatures features() {
        return StoreFeatures.defaults();
    }

    @BeforeEach
    void openStore() {
        context = new TckStoreContext(Role.REPLICA);
        store = createReplicaStore();
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

    protected void applyRemote(String collection, String id, Map<String, Object> data, long version) {
        store.inTransaction(tx -> {
            tx.applyRemote(collection, id, data, version);
            return null;
        });
    }

    protected Optional<LocalRecord> read(String collection, String id) {
        return store.inTransaction(tx -> tx.read(collection, id));
    }

    protected List<OutboxEntry> outboxFor(String collection, String id) {
        return store.inTransaction(tx -> tx.outboxFor(collection, id));
    }

    protected List<OutboxEntry> outbox() {
        return store.outbox(EVERY_STATE, Integer.MAX_VALUE);
    }

    protected void save(OutboxEntry entry) {
        store.inTransaction(tx -> {
            tx.saveOutbox(entry);
            return null;
        });
    }

    protected static Map<String, Object> with(Map<String, Object> data, String field, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(data);
        copy.put(field, value);
        return copy;
    }

    private OutboxEntry only(List<OutboxEntry> entries) {
        assertEquals(1, entries.size(), "expected exactly one outbox entry, got " + entries);
        return entries.get(0);
    }

    // ---- rules

    @Nested
    @DisplayName("transactions")
    class Transactions {

        @Test
        @DisplayName("[replica-store-1] a transaction that throws leaves nothing behind: records, versions, outbox, cursor")
        void rollbackLeavesNothing() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            store.inTransaction(tx -> {
                tx.setCursor("cursor-1");
                return null;
            });
            context.clear();
            RuntimeException boom = new IllegalStateException("the TCK aborts this transaction");
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.inTransaction(tx -> {
                tx.applyRemote("tasks", "t2", TckSchema.task("t2", "alice", "never"), 6);
                tx.applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "changed"), 7);
                tx.setVersion("tasks", "t1", 9);
                tx.saveOutbox(new OutboxEntry(1, Change.changeId(store.clientId(), 1), "tasks", "t1",
                        Operation.UPSERT, TckSchema.task("t1", "alice", "x"), null, 5, null, OutboxState.PENDING,
                        null));
                tx.setCursor("cursor-2");
                throw boom;
            }));
            assertSame(boom, thrown, "inTransaction must propagate the work's exception unchanged");
            assertTrue(store.get("tasks", "t2").isEmpty(), "a rolled-back apply is visible");
            SyncRecord t1 = store.get("tasks", "t1").orElseThrow();
            assertEquals("a", t1.data().get("title"), "a rolled-back apply changed a record");
            assertEquals(5, t1.version(), "a rolled-back transaction changed a version");
            assertEquals(0, store.outboxCount(EVERY_STATE), "a rolled-back transaction left an outbox entry");
            assertEquals(Optional.of("cursor-1"), store.cursor(), "a rolled-back transaction moved the cursor");
            assertTrue(context.batches().isEmpty(), "a rolled-back transaction was published");
        }

        @Test
        @DisplayName("[replica-store-2] applyRemote stores the hub's state at its version; null data deletes")
        void applyRemoteStores() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            SyncRecord r = store.get("tasks", "t1").orElseThrow();
            assertEquals(TckSchema.task("t1", "alice", "a"), r.data());
            assertEquals(5, r.version());
            assertEquals(5, read("tasks", "t1").orElseThrow().version());
            applyRemote("tasks", "t1", null, 7);
            assertTrue(store.get("tasks", "t1").isEmpty(), "a remote delete left the record live");
            read("tasks", "t1").ifPresent(tomb -> {
                assertTrue(tomb.deleted(), "a remotely deleted record reads as deleted");
                assertEquals(7, tomb.version(), "a local tombstone carries the delete's version");
            });
        }

        @Test
        @DisplayName("[replica-store-2] setVersion changes the version, negative (stale) ones too, and leaves the data alone")
        void setVersionKeepsData() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            store.inTransaction(tx -> {
                tx.setVersion("tasks", "t1", 8);
                return null;
            });
            SyncRecord r = store.get("tasks", "t1").orElseThrow();
            assertEquals(8, r.version());
            assertEquals(TckSchema.task("t1", "alice", "a"), r.data());
            store.inTransaction(tx -> {
                tx.setVersion("tasks", "t1", -8);
                return null;
            });
            assertEquals(-8, read("tasks", "t1").orElseThrow().version(), "a stale (negative) version is kept as given");
        }

        private OutboxEntry queued(String clientId) {
            return new OutboxEntry(2, Change.changeId(clientId, 2), "tasks", "t3", Operation.DELETE, null, null, 8,
                    null, OutboxState.PENDING, null);
        }

        @Test
        @DisplayName("[replica-store-14] after prefetch, reads see the transaction's own writes, as without it")
        void prefetchChangesNoOutcome() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            applyRemote("tasks", "t2", TckSchema.task("t2", "alice", "b"), 6);
            applyRemote("tasks", "t2", null, 7);
            OutboxEntry sent = new OutboxEntry(1, Change.changeId(store.clientId(), 1), "tasks", "t1",
                    Operation.UPSERT, TckSchema.task("t1", "alice", "mine"), Set.of("title"), 5, null,
                    OutboxState.SENT, null);
            save(sent);
            store.inTransaction(tx -> {
                tx.prefetch("tasks", List.of("t1", "t2", "t3", "t1"));
                tx.prefetch("no-such-collection", List.of("x"));
                assertEquals(5, tx.read("tasks", "t1").orElseThrow().version());
                assertTrue(tx.read("tasks", "t2").map(LocalRecord::deleted).orElse(true), "t2 is a tombstone");
                assertTrue(tx.read("tasks", "t3").isEmpty(), "t3 does not exist");
                assertTrue(tx.outboxFor("tasks", "t1").contains(sent), "the SENT entry after prefetch");

                tx.applyRemote("tasks", "t3", TckSchema.task("t3", "alice", "c"), 8);
                tx.setVersion("tasks", "t1", 9);
                tx.applyRemote("tasks", "t2", TckSchema.task("t2", "alice", "back"), 10);
                OutboxEntry queued = queued(store.clientId());
                tx.saveOutbox(queued);
                tx.removeOutbox(1);
                assertEquals(TckSchema.task("t3", "alice", "c"), tx.read("tasks", "t3").orElseThrow().data(),
                        "a prefetched missing record was written: reads see it");
                assertEquals(8, tx.read("tasks", "t3").orElseThrow().version());
                assertEquals(9, tx.read("tasks", "t1").orElseThrow().version(), "setVersion after prefetch");
                assertEquals("back", tx.read("tasks", "t2").orElseThrow().data().get("title"));
                assertEquals(10, tx.read("tasks", "t2").orElseThrow().version());
                assertFalse(tx.outboxFor("tasks", "t1").contains(sent), "removeOutbox after prefetch");
                assertTrue(tx.outboxFor("tasks", "t3").contains(queued), "saveOutbox after prefetch");
                return null;
            });
            assertEquals(9, store.get("tasks", "t1").orElseThrow().version());
            assertEquals(TckSchema.task("t2", "alice", "back"), store.get("tasks", "t2").orElseThrow().data());
            assertEquals(8, store.get("tasks", "t3").orElseThrow().version());
            assertEquals(List.of(queued(store.clientId())), outbox().stream().filter(e -> e.sequence() <= 2).toList());
        }

        @Test
        @DisplayName("[replica-store-15] version reports what read reports, 0 for an unknown record, in the "
                + "transaction's own writes too")
        void versionAgreesWithRead() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            applyRemote("tasks", "t2", TckSchema.task("t2", "alice", "b"), 6);
            applyRemote("tasks", "t2", null, 7);
            store.inTransaction(tx -> {
                tx.setVersion("tasks", "t1", -5);
                return null;
            });
            store.inTransaction(tx -> {
                tx.prefetch("tasks", List.of("t1", "t2", "t3"));
                for (String id : List.of("t1", "t2", "t3", "t4")) {
                    assertEquals(tx.read("tasks", id).map(LocalRecord::version).orElse(0L), tx.version("tasks", id),
                            "version of " + id);
                }
                assertEquals(-5, tx.version("tasks", "t1"), "a stale record keeps its negative version");
                assertEquals(7, tx.version("tasks", "t2"), "a tombstone keeps its version");
                tx.applyRemote("tasks", "t3", TckSchema.task("t3", "alice", "c"), 8);
                tx.setVersion("tasks", "t1", 9);
                assertEquals(8, tx.version("tasks", "t3"));
                assertEquals(9, tx.version("tasks", "t1"));
                return null;
            });
            assertEquals(9L, (long) store.inTransaction(tx -> tx.version("tasks", "t1")));
        }

        @Test
        @DisplayName("[replica-store-16] entries marked SENT as the engine marks a push batch (read, then saved SENT "
                + "in one transaction) read back SENT by record, by state and in counts; a later write queues behind")
        void batchMarkedSentReadsBackSent() {
            for (String id : List.of("a", "b", "c", "d")) {
                store.put("tasks", id, TckSchema.task(id, "alice", id));
            }
            store.inTransaction(tx -> {
                List<String> batch = List.of("a", "b", "d");
                tx.prefetch("tasks", batch);
                for (String id : batch) {
                    tx.saveOutbox(OutboxEntry.pendingOf(tx.outboxFor("tasks", id)).withState(OutboxState.SENT, null));
                }
                assertEquals(OutboxState.SENT, only(tx.outboxFor("tasks", "b")).state(), "in the transaction");
                return null;
            });
            assertEquals(List.of("a", "b", "d"), store.outbox(EnumSet.of(OutboxState.SENT), 10).stream()
                    .map(OutboxEntry::id).toList(), "SENT by state");
            assertEquals(List.of("c"), store.outbox(EnumSet.of(OutboxState.PENDING), 10).stream()
                    .map(OutboxEntry::id).toList(), "PENDING by state");
            assertEquals(List.of("c"), store.outbox(EnumSet.of(OutboxState.PENDING), 1).stream()
                    .map(OutboxEntry::id).toList(), "PENDING by state, limited");
            assertEquals(3, store.outboxCount(EnumSet.of(OutboxState.SENT)));
            assertEquals(1, store.outboxCount(EnumSet.of(OutboxState.PENDING)));
            assertEquals(4, store.outboxCount(EVERY_STATE));
            store.put("tasks", "b", TckSchema.task("b", "alice", "b2"));
            assertEquals(List.of(OutboxState.SENT, OutboxState.PENDING), outboxFor("tasks", "b").stream()
                    .map(OutboxEntry::state).toList(), "a write after the mark starts a second entry");
            OutboxEntry b = outboxFor("tasks", "b").get(0);
            save(b.withState(OutboxState.REJECTED, new OutboxEntry.Parked("validation", "no", null, 0)));
            save(b.withState(OutboxState.PENDING, null));
            assertEquals(OutboxState.PENDING, outboxFor("tasks", "b").get(0).state(), "saved PENDING again");
            assertEquals(List.of("a", "d"), store.outbox(EnumSet.of(OutboxState.SENT), 10).stream()
                    .map(OutboxEntry::id).toList(), "the rest of the batch stays SENT");
        }

        @Test
        @DisplayName("[replica-store-18] inPushTransaction commits as inTransaction does: the writes and the result of "
                + "the run that commits, once (a store may run the work more than once); one that throws leaves nothing")
        void pushTransactionCommitsOnce() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            store.put("tasks", "t2", TckSchema.task("t2", "alice", "local"));
            List<Integer> runs = new ArrayList<>();
            String result = store.inPushTransaction(tx -> {
                runs.add(runs.size() + 1);
                tx.prefetch("tasks", List.of("t1", "t2"));
                tx.saveOutbox(OutboxEntry.pendingOf(tx.outboxFor("tasks", "t2")).withState(OutboxState.SENT, null));
                tx.applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "merged"), 6);
                return "run " + runs.size();
            });
            assertFalse(runs.isEmpty(), "the work did not run");
            assertEquals("run " + runs.size(), result, "the result is the committed run's");
            SyncRecord t1 = store.get("tasks", "t1").orElseThrow();
            assertEquals("merged", t1.data().get("title"));
            assertEquals(6, t1.version());
            assertEquals(List.of(OutboxState.SENT), outboxFor("tasks", "t2").stream().map(OutboxEntry::state).toList(),
                    "marked once");
            assertEquals(1, store.outboxCount(EVERY_STATE));

            long sent = outboxFor("tasks", "t2").get(0).sequence();
            RuntimeException boom = new IllegalStateException("the TCK aborts this push transaction");
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.inPushTransaction(tx -> {
                tx.removeOutbox(sent);
                tx.applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "never"), 7);
                throw boom;
            }));
            assertSame(boom, thrown, "inPushTransaction must propagate the work's exception unchanged");
            assertEquals(6, store.get("tasks", "t1").orElseThrow().version(), "a rolled-back push transaction applied");
            assertEquals(1, store.outboxCount(EVERY_STATE), "a rolled-back push transaction removed an entry");
        }

        @Test
        @DisplayName("[replica-store-8] the cursor is stored with its transaction; null clears it")
        void cursorStored() {
            assertTrue(store.cursor().isEmpty(), "a fresh store has no cursor");
            store.inTransaction(tx -> {
                tx.applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 3);
                tx.setCursor("c-3");
                assertEquals(Optional.of("c-3"), tx.cursor(), "a transaction reads its own cursor");
                return null;
            });
            assertEquals(Optional.of("c-3"), store.cursor());
            store.inTransaction(tx -> {
                tx.setCursor(null);
                return null;
            });
            assertTrue(store.cursor().isEmpty(), "setCursor(null) clears the cursor");
        }
    }

    @Nested
    @DisplayName("capture")
    class Capture {

        @Test
        @DisplayName("[replica-store-3] remote applies are not captured (no echo), skip the hooks and are published REMOTE")
        void remoteNotCaptured() {
            context.onCommitted(batch -> batch.changes().forEach(e -> assertEquals(e.op() == Operation.DELETE,
                    store.get(e.collection(), e.id()).isEmpty(), "a batch was published before its commit")));
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            applyRemote("tasks", "t1", null, 6);
            assertEquals(0, store.outboxCount(EVERY_STATE), "a remote apply was captured into the outbox (echo)");
            assertTrue(context.hookCalls().isEmpty(), "persistence hooks ran for a remote apply");
            List<ChangeBatch> batches = context.batches();
            assertEquals(2, batches.size(), "one batch per committed remote transaction");
            assertTrue(batches.stream().allMatch(b -> b.origin() == Origin.REMOTE), "remote applies are REMOTE");
            ChangeEvent first = batches.get(0).changes().get(0);
            assertEquals("t1", first.id());
            assertEquals(Operation.UPSERT, first.op());
            assertEquals(5, first.version(), "a remote event carries the hub version");
            assertEquals(Operation.DELETE, batches.get(1).changes().get(0).op());
        }

        @Test
        @DisplayName("[replica-store-4] a local write is captured into the outbox and published LOCAL after commit")
        void localWriteCaptured() {
            context.onCommitted(batch -> assertEquals(1, store.outboxCount(EVERY_STATE),
                    "a local batch was published before its outbox entry committed"));
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "a"));
            OutboxEntry e = only(outbox());
            assertEquals(OutboxState.PENDING, e.state());
            assertEquals(Change.changeId(store.clientId(), e.sequence()), e.changeId(), "changeId = clientId:sequence");
            assertEquals(Operation.UPSERT, e.op());
            assertEquals(TckSchema.task("t1", "alice", "a"), e.data(), "the entry holds the full record");
            assertNull(e.fields(), "a new record's entry changes all fields");
            assertEquals(0, e.baseVersion(), "a record created here has base version 0");
            assertTrue(HlcStamp.isValid(e.hlc()), "the entry is stamped by the context's clock: " + e.hlc());
            assertEquals(1, context.hookCalls().size(), "the hooks see a local write");
            assertEquals(Role.REPLICA, context.hookCalls().get(0).role());
            List<ChangeBatch> batches = context.batches();
            assertEquals(1, batches.size());
            assertEquals(Origin.LOCAL, batches.get(0).origin(), "a local write is published LOCAL");
            assertEquals("t1", batches.get(0).changes().get(0).id());
            assertEquals(TckSchema.task("t1", "alice", "a"), batches.get(0).changes().get(0).after());
        }

        @Test
        @DisplayName("[replica-store-4] a vetoed local write leaves no record, no outbox entry and no event")
        void vetoedWriteLeavesNothing() {
            context.veto("t1");
            assertThrows(HookVetoException.class,
                    () -> store.put("tasks", "t1", TckSchema.task("t1", "alice", "vetoed")));
            assertTrue(store.get("tasks", "t1").isEmpty(), "a vetoed write is stored");
            assertEquals(0, store.outboxCount(EVERY_STATE), "a vetoed write is in the outbox");
            assertTrue(context.batches().isEmpty(), "a vetoed write was published");
        }

        @Test
        @DisplayName("[replica-store-5] edits of a new record coalesce into its PENDING entry; create then delete leaves nothing")
        void newRecordCoalesces() {
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "a"));
            long sequence = only(outbox()).sequence();
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "b"));
            OutboxEntry e = only(outbox());
            assertEquals(sequence, e.sequence(), "a further edit folds into the PENDING entry");
            assertEquals("b", e.data().get("title"), "the entry holds the latest data");
            assertNull(e.fields(), "an entry for a new record changes all fields");
            store.delete("tasks", "t1");
            assertTrue(outbox().isEmpty(), "a record created and deleted before it was sent leaves no entry");
            assertTrue(store.get("tasks", "t1").isEmpty(), "the record is deleted");
        }

        @Test
        @DisplayName("[replica-store-5] edits of a synced record coalesce: same sequence, union of fields, same base version")
        void syncedRecordCoalesces() {
            Map<String, Object> base = TckSchema.task("t1", "alice", "a");
            applyRemote("tasks", "t1", base, 5);
            store.put("tasks", "t1", with(base, "title", "b"));
            OutboxEntry first = only(outbox());
            assertEquals(5, first.baseVersion(), "an edit is based on the record's hub version");
            assertEquals(Set.of("title"), first.fields(), "the entry lists exactly the changed fields");
            store.put("tasks", "t1", with(with(base, "title", "b"), "done", true));
            OutboxEntry second = only(outbox());
            assertEquals(first.sequence(), second.sequence(), "the edit folds into the PENDING entry");
            assertEquals(first.changeId(), second.changeId(), "the change id stays");
            assertEquals(Set.of("title", "done"), second.fields(), "fields are the union of the edits");
            assertEquals(5, second.baseVersion(), "the base version stays");
            assertEquals(OutboxEntry.capture(List.of(first), new io.tether.sync.spi.LocalWrite("tasks", "t1",
                            Operation.UPSERT, with(base, "title", "b"), second.data(), Set.of("done")),
                            store.clientId(), 99, 5, second.hlc()), second,
                    "the store must follow OutboxEntry.capture");
            store.delete("tasks", "t1");
            OutboxEntry deleted = only(outbox());
            assertEquals(Operation.DELETE, deleted.op(), "a delete of a synced record stays in the outbox");
            assertNull(deleted.data());
            assertEquals(first.sequence(), deleted.sequence());
            assertEquals(5, deleted.baseVersion());
        }

        @Test
        @DisplayName("[replica-store-6] a SENT entry does not absorb writes: a new entry queues behind it")
        void sentEntryDoesNotAbsorb() {
            Map<String, Object> base = TckSchema.task("t1", "alice", "a");
            applyRemote("tasks", "t1", base, 5);
            store.put("tasks", "t1", with(base, "title", "b"));
            OutboxEntry sent = only(outbox()).withState(OutboxState.SENT, null);
            save(sent);
            store.put("tasks", "t1", with(with(base, "title", "b"), "done", true));
            List<OutboxEntry> entries = outboxFor("tasks", "t1");
            assertEquals(2, entries.size(), "a write after SENT must start a second entry: " + entries);
            assertEquals(sent, entries.get(0), "the SENT entry is unchanged");
            OutboxEntry next = entries.get(1);
            assertEquals(OutboxState.PENDING, next.state());
            assertTrue(next.sequence() > sent.sequence(), "the new entry queues behind the SENT one");
            assertEquals(Set.of("done"), next.fields(), "the new entry holds only the new edit's fields");
            assertEquals(5, next.baseVersion(), "the new entry is based on the record's hub version");
        }

        @Test
        @DisplayName("[replica-store-13] a delete of a record whose create was sent but not acknowledged is kept")
        void deleteAfterUnacknowledgedCreateKept() {
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "a"));
            OutboxEntry create = only(outbox()).withState(OutboxState.SENT, null);
            save(create);
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "b"));
            store.delete("tasks", "t1");
            List<OutboxEntry> entries = outboxFor("tasks", "t1");
            assertTrue(entries.stream().anyMatch(e -> e.op() == Operation.DELETE && e.state() == OutboxState.PENDING),
                    "the hub may already hold the sent create, so the delete must stay in the outbox behind it: "
                            + entries);
        }

        @Test
        @DisplayName("[replica-store-7] the outbox is ordered by sequence, filtered by state, read on from a sequence, limited and counted")
        void outboxOrder() {
            store.put("tasks", "a", TckSchema.task("a", "alice", "a"));
            store.put("tasks", "b", TckSchema.task("b", "alice", "b"));
            store.put("notes", "c", TckSchema.note("c", "c"));
            List<OutboxEntry> all = outbox();
            assertEquals(List.of("a", "b", "c"), all.stream().map(OutboxEntry::id).toList(), "sequence order");
            assertTrue(all.get(0).sequence() < all.get(1).sequence() && all.get(1).sequence() < all.get(2).sequence(),
                    "sequences grow with every new entry");
            OutboxEntry parked = all.get(1).withState(OutboxState.CONFLICT,
                    new OutboxEntry.Parked("manual", "the hub kept its state", TckSchema.task("b", "alice", "hub"), 4));
            save(parked);
            assertEquals(List.of("a", "c"), store.outbox(EnumSet.of(OutboxState.PENDING), 10).stream()
                    .map(OutboxEntry::id).toList(), "filtered by state");
            assertEquals(List.of("a", "b"), store.outbox(EVERY_STATE, 2).stream().map(OutboxEntry::id).toList(),
                    "at most limit, lowest sequence first");
            assertEquals(List.of("b"), store.outbox(EVERY_STATE, all.get(0).sequence(), 1).stream()
                    .map(OutboxEntry::id).toList(), "after a sequence: the entries above it, at most limit");
            assertEquals(List.of("c"), store.outbox(EnumSet.of(OutboxState.PENDING), all.get(0).sequence(), 10).stream()
                    .map(OutboxEntry::id).toList(), "after a sequence, filtered by state");
            assertEquals(List.of(), store.outbox(EVERY_STATE, all.get(2).sequence(), 10), "nothing after the last");
            assertEquals(List.of(), store.outbox(EVERY_STATE, Long.MIN_VALUE, 0), "a limit of 0 reads nothing");
            assertEquals(1, store.outboxCount(EnumSet.of(OutboxState.CONFLICT)));
            assertEquals(parked, outboxFor("tasks", "b").get(0), "a saved entry reads back equal, parked answer too");
            store.inTransaction(tx -> {
                tx.removeOutbox(all.get(0).sequence());
                tx.removeOutbox(123_456_789L);
                return null;
            });
            assertEquals(List.of("b", "c"), outbox().stream().map(OutboxEntry::id).toList(), "removeOutbox removes");
        }

        @Test
        @DisplayName("[replica-store-9] beginResync marks synced records stale with their data kept; finishResync removes those not refreshed, at most max a call, then ends the resync")
        void resyncMarksThenRemovesWhatWasNotRefreshed() {
            applyRemote("tasks", "gone1", TckSchema.task("gone1", "alice", "a"), 3);
            applyRemote("tasks", "gone2", TckSchema.task("gone2", "alice", "b"), 2);
            applyRemote("tasks", "kept", TckSchema.task("kept", "alice", "k"), 4);
            applyRemote("tasks", "edited", TckSchema.task("edited", "alice", "e"), 5);
            store.put("tasks", "edited", TckSchema.task("edited", "alice", "e2"));
            store.put("tasks", "created", TckSchema.task("created", "alice", "c"));
            store.inTransaction(tx -> {
                tx.setCursor("c-5");
                return null;
            });
            assertEquals(0, finishResync(10), "no resync under way: nothing is removed");
            store.inTransaction(tx -> {
                tx.beginResync();
                return null;
            });
            LocalRecord marked = read("tasks", "gone1").orElseThrow();
            assertTrue(marked.version() == -3 && !marked.deleted(), "a synced record is marked stale at -3, its data "
                    + "kept: " + marked);
            assertEquals("a", store.get("tasks", "gone1").orElseThrow().data().get("title"),
                    "the application goes on reading a record marked stale");
            assertEquals(5, read("tasks", "edited").orElseThrow().version(), "a record with an outbox entry is left "
                    + "as it is");
            assertTrue(store.cursor().isEmpty(), "beginResync clears the cursor");
            store.inTransaction(tx -> {
                tx.beginResync(); // the cursor expired again before the resync ended: nothing new to mark
                return null;
            });
            assertEquals(-3, read("tasks", "gone1").orElseThrow().version(), "a second beginResync keeps it stale");

            applyRemote("tasks", "kept", TckSchema.task("kept", "alice", "k"), 4); // a page refreshes it
            assertEquals(1, finishResync(1), "at most max records a call");
            assertEquals(1, finishResync(1), "the resync goes on until none is left");
            assertEquals(0, finishResync(1), "the resync is over");
            for (String id : List.of("gone1", "gone2")) {
                LocalRecord tomb = read("tasks", id).orElseThrow(
                        () -> new AssertionError(id + " must be kept as a stale tombstone"));
                assertTrue(tomb.deleted() && tomb.stale(), "not refreshed, so removed: " + tomb);
                assertTrue(store.get("tasks", id).isEmpty(), id + " is gone for the application");
            }
            assertEquals(-2, read("tasks", "gone2").orElseThrow().version(), "a tombstone keeps its version");
            assertEquals(4, read("tasks", "kept").orElseThrow().version(), "a refreshed record stays");
            assertEquals("e2", store.get("tasks", "edited").orElseThrow().data().get("title"),
                    "a record with an unsynced edit stays");
            assertTrue(store.get("tasks", "created").isPresent(), "a record created here stays");
            assertEquals(2, store.outboxCount(EVERY_STATE), "the outbox is kept, and nothing was captured");

            applyRemote("tasks", "acked", TckSchema.task("acked", "alice", "d"), -7); // stale after a duplicate answer
            assertEquals(0, finishResync(10), "after the resync nothing is removed");
            assertTrue(store.get("tasks", "acked").isPresent());
        }

        @Test
        @DisplayName("[replica-store-17] queueAgain queues the records held above a version with no outbox entry as new PENDING changes: upserts of their data, deletes of tombstones, based on that version and stamped as given, at most max a call")
        void queueAgainQueuesWhatIsHeldAboveTheVersion() {
            applyRemote("tasks", "old", TckSchema.task("old", "alice", "o"), 3);
            applyRemote("tasks", "newer", TckSchema.task("newer", "alice", "n"), 5);
            applyRemote("tasks", "stale", TckSchema.task("stale", "alice", "s"), -6); // after a duplicate answer
            applyRemote("tasks", "gone", TckSchema.task("gone", "alice", "g"), 4);
            applyRemote("tasks", "gone", null, 7);
            applyRemote("tasks", "edited", TckSchema.task("edited", "alice", "e"), 8);
            store.put("tasks", "edited", TckSchema.task("edited", "alice", "e2"));
            OutboxEntry edited = only(outboxFor("tasks", "edited"));
            context.clear();

            assertEquals(2, queueAgain(3, 2), "at most max a call");
            assertEquals(1, queueAgain(3, 2), "then the rest");
            assertEquals(0, queueAgain(3, 2), "none is left: each record is queued once");
            assertEquals(List.of(), outboxFor("tasks", "old"), "a record at the version or below is not queued");
            assertEquals(List.of(edited), outboxFor("tasks", "edited"), "a record with an outbox entry is left alone");

            OutboxEntry newer = only(outboxFor("tasks", "newer"));
            assertEquals(Operation.UPSERT, newer.op());
            assertEquals(TckSchema.task("newer", "alice", "n"), newer.data(), "the record's data, as held");
            assertNull(newer.fields(), "every field");
            assertEquals(3, newer.baseVersion(), "based on the version given, the last one the hub shares");
            assertEquals(OutboxState.PENDING, newer.state());
            assertNull(newer.parked());
            assertEquals(STAMP, newer.hlc(), "stamped as given");
            assertEquals(Change.changeId(store.clientId(), newer.sequence()), newer.changeId());
            assertEquals(Operation.UPSERT, only(outboxFor("tasks", "stale")).op(), "a stale record is queued too");
            OutboxEntry gone = only(outboxFor("tasks", "gone"));
            assertEquals(Operation.DELETE, gone.op(), "a tombstone is queued as a delete");
            assertNull(gone.data());
            assertEquals(3, gone.baseVersion());

            List<Long> sequences = outbox().stream().map(OutboxEntry::sequence).toList();
            assertEquals(4, Set.copyOf(sequences).size(), "each entry has a sequence of its own: " + sequences);
            assertTrue(sequences.stream().allMatch(q -> q >= edited.sequence()), "new sequences follow the "
                    + "outbox's: " + sequences);
            assertEquals(5, read("tasks", "newer").orElseThrow().version(), "the record keeps its version");
            assertEquals("n", store.get("tasks", "newer").orElseThrow().data().get("title"), "and its data");
            assertEquals(List.of(), context.batches(), "queueing again writes no record, so nothing is published");
        }

        private static final String STAMP = "1765000000000-0000-kit";

        private int queueAgain(long version, int max) {
            return store.inTransaction(tx -> tx.queueAgain(version, STAMP, max));
        }

        private int finishResync(int max) {
            return store.inTransaction(tx -> tx.finishResync(max));
        }
    }

    @Nested
    @DisplayName("identity and queries")
    class Identity {

        @Test
        @DisplayName("[replica-store-10] clientId is a UUID and stable")
        void clientIdStable() {
            String id = store.clientId();
            assertDoesNotThrow(() -> UUID.fromString(id), "clientId must be a UUID: " + id);
            assertEquals(id, store.clientId(), "clientId must not change");
        }

        @Test
        @DisplayName("[replica-store-11] RecordQuery lists live records ordered by id and counts them")
        void listOrderedById() {
            applyRemote("tasks", "t3", TckSchema.task("t3", "alice", "c"), 1);
            store.put("tasks", "t1", TckSchema.task("t1", "alice", "a"));
            applyRemote("tasks", "t2", TckSchema.task("t2", "alice", "b"), 2);
            store.put("notes", "n1", TckSchema.note("n1", "x"));
            store.delete("tasks", "t2");
            assertEquals(List.of("t1", "t3"), store.list("tasks").stream().map(SyncRecord::id).toList());
            assertEquals(2, store.count("tasks"));
            assertEquals(1, store.count("notes"), "collections are kept apart");
            assertEquals(0, store.get("tasks", "t1").orElseThrow().version(), "a record never synced has version 0");
        }
    }

    @Nested
    @DisplayName("restart")
    class Restart {

        @BeforeEach
        void needsRestart() {
            assumeTrue(features().restart(),
                    "the store does not declare restart: override features() and reopen(ReplicaStore) to enable");
        }

        /** Closes the store and opens it again over the same data, as a process restart does. */
        private void restart() {
            store.close();
            store = reopen(store);
            context = new TckStoreContext(Role.REPLICA);
            store.open(context);
        }

        @Test
        @DisplayName("[replica-store-12] records, versions, outbox, cursor and clientId survive a restart")
        void survivesRestart() {
            applyRemote("tasks", "t1", TckSchema.task("t1", "alice", "a"), 5);
            store.put("tasks", "t2", TckSchema.task("t2", "alice", "b"));
            store.put("tasks", "t3", TckSchema.task("t3", "alice", "c"));
            save(outboxFor("tasks", "t3").get(0).withState(OutboxState.REJECTED,
                    new OutboxEntry.Parked("validation", "no", null, 0)));
            store.inTransaction(tx -> {
                tx.setCursor("c-5");
                return null;
            });
            String clientId = store.clientId();
            List<OutboxEntry> outbox = outbox();
            restart();
            assertEquals(clientId, store.clientId(), "clientId must survive a restart");
            assertEquals(Optional.of("c-5"), store.cursor(), "cursor after restart");
            assertEquals(5, store.get("tasks", "t1").orElseThrow().version(), "version after restart");
            assertEquals(outbox, outbox(), "outbox after restart");
            store.put("tasks", "t4", TckSchema.task("t4", "alice", "d"));
            long last = outbox.get(outbox.size() - 1).sequence();
            assertTrue(outboxFor("tasks", "t4").get(0).sequence() > last,
                    "sequences keep growing after a restart (change ids are unique forever)");
        }

        @Test
        @DisplayName("[replica-store-12] a resync under way survives a restart: finishResync then removes what no page refreshed")
        void resyncSurvivesRestart() {
            applyRemote("tasks", "gone", TckSchema.task("gone", "alice", "g"), 3);
            applyRemote("tasks", "kept", TckSchema.task("kept", "alice", "k"), 4);
            store.inTransaction(tx -> {
                tx.beginResync();
                return null;
            });
            applyRemote("tasks", "kept", TckSchema.task("kept", "alice", "k"), 4); // a page refreshed it
            store.inTransaction(tx -> {
                tx.setCursor("c-4");
                return null;
            });
            restart();
            assertEquals(1, (int) store.inTransaction(tx -> tx.finishResync(10)),
                    "the resync begun before the restart must still be under way after it");
            assertTrue(store.get("tasks", "gone").isEmpty(), "the record no page refreshed is removed");
            assertTrue(store.get("tasks", "kept").isPresent(), "the refreshed record stays");
        }
    }
}
