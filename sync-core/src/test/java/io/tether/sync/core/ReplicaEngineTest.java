package io.tether.sync.core;

import io.tether.sync.ConfigurationException;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.RejectedChange;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncListener;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.TransportException;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Resolution;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaEngineTest {

    static Map<String, Object> task(String id, String title) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("title", title);
        return m;
    }

    static void edit(MemoryReplicaStore store, String id, String field, Object value) {
        Map<String, Object> data = new HashMap<>(store.get("tasks", id).orElseThrow().data());
        data.put(field, value);
        store.put("tasks", id, data);
    }

    /** Both devices edit the title of one task; B pushes first, then A. */
    static Map<String, Object> concurrentTitleEdit(SyncFixture f) {
        SyncFixture.Device a = f.device("alice");
        SyncFixture.Device b = f.device("alice");
        a.put("t1", task("t1", "original"));
        a.engine().syncNow();
        b.engine().syncNow();
        edit(a.store(), "t1", "title", "from A");
        edit(b.store(), "t1", "title", "from B");
        b.engine().syncNow();
        a.engine().syncNow();
        b.engine().syncNow();
        assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(a.store()), "A converged");
        assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()), "B converged");
        return f.hubStore.get("tasks", "t1").orElseThrow().data();
    }

    @Test
    void serverWinsKeepsTheFirstWrite() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.SERVER_WINS)) {
            assertEquals("from B", concurrentTitleEdit(f).get("title"));
        }
    }

    @Test
    void clientWinsKeepsTheLastPush() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.CLIENT_WINS)) {
            assertEquals("from A", concurrentTitleEdit(f).get("title"));
        }
    }

    @Test
    void lastWriterWinsGoesByClockNotByArrival() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.LAST_WRITER_WINS)) {
            // B's edit is stamped after A's but arrives first: A's older edit must lose
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "original"));
            a.engine().syncNow();
            b.engine().syncNow();
            edit(a.store(), "t1", "title", "older, from A");
            sleepPastTheMillisecond();
            edit(b.store(), "t1", "title", "newer, from B");
            b.engine().syncNow();
            a.engine().syncNow();
            assertEquals("newer, from B", f.hubStore.get("tasks", "t1").orElseThrow().data().get("title"));
            assertEquals("newer, from B", a.store().get("tasks", "t1").orElseThrow().data().get("title"));
        }
    }

    /** Clock stamps in one millisecond order by node id; the test needs B's stamp to be later. */
    private static void sleepPastTheMillisecond() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void customResolverDecidesPerCollection() {
        ConflictResolver longestTitle = in -> ((String) in.change().data().get("title")).length()
                > ((String) in.current().data().get("title")).length() ? Resolution.TAKE_CLIENT : Resolution.KEEP_HUB;
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS)
                .conflictResolver("tasks", longestTitle).build().start()) {
            MemoryReplicaStore a = MemoryStore.replica();
            MemoryReplicaStore b = MemoryStore.replica();
            try (ReplicaEngine ea = replica(a, hub); ReplicaEngine eb = replica(b, hub)) {
                a.put("tasks", "t1", task("t1", "x"));
                ea.syncNow();
                eb.syncNow();
                edit(a, "t1", "title", "a much longer title");
                edit(b, "t1", "title", "short");
                ea.syncNow();
                eb.syncNow();
                assertEquals("a much longer title", hubStore.get("tasks", "t1").orElseThrow().data().get("title"));
                assertEquals("a much longer title", b.get("tasks", "t1").orElseThrow().data().get("title"));
            }
        }
    }

    static ReplicaEngine replica(MemoryReplicaStore store, HubEngine hub) {
        return Tether.replica().store(store).transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }

    /** A transport whose next answers are lost after the hub applied the request. */
    static final class LosingAnswers extends ForwardingTransport {
        final AtomicInteger loseNext = new AtomicInteger();
        final AtomicInteger failNext = new AtomicInteger();
        final AtomicInteger pushes = new AtomicInteger();

        LosingAnswers(SyncTransport target) {
            super(target);
        }

        @Override
        public PushResponse push(PushRequest request) {
            pushes.incrementAndGet();
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new TransportException("connection refused", true);
            }
            PushResponse response = target.push(request);
            if (loseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new TransportException("connection reset after the hub answered", true);
            }
            return response;
        }
    }

    @Test
    void pushesRetriedAfterTheAnswerWasLostApplyOnce() {
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).build().start()) {
            MemoryReplicaStore store = MemoryStore.replica();
            LosingAnswers link = new LosingAnswers(new InProcessTransport(hub.service(), Principal.of("alice")));
            try (ReplicaEngine engine = Tether.replica().store(store).transport(link).pollInterval(Duration.ZERO)
                    .debounce(Duration.ZERO).retryBackoff(Duration.ofHours(1), Duration.ofHours(1)).build().start()) {
                for (int i = 0; i < 10; i++) {
                    store.put("tasks", "t" + i, task("t" + i, "title " + i));
                }
                link.loseNext.set(3);
                for (int i = 0; i < 3; i++) {
                    assertThrows(TransportException.class, engine::syncNow);
                }
                SyncReport report = engine.syncNow();
                assertEquals(10, report.pushed());
                assertEquals(10, hubStore.headVersion(), "ten writes, none applied twice");
                assertEquals(0, engine.status().pendingChanges());
                engine.syncNow();
                assertEquals(SyncFixture.state(hubStore), SyncFixture.state(store));
            }
        }
    }

    @Test
    void failedCyclesAreRetriedWithBackoff() throws Exception {
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).build().start()) {
            MemoryReplicaStore store = MemoryStore.replica();
            LosingAnswers link = new LosingAnswers(new InProcessTransport(hub.service(), Principal.of("alice")));
            List<Boolean> retrying = new CopyOnWriteArrayList<>();
            CountDownLatch synced = new CountDownLatch(1);
            try (ReplicaEngine engine = Tether.replica().store(store).transport(link).pollInterval(Duration.ZERO)
                    .debounce(Duration.ofMillis(20)).retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                    .jitterSeed(7).build().start()) {
                engine.addSyncListener(new SyncListener() {
                    @Override
                    public void onError(io.tether.sync.SyncException error, boolean willRetry) {
                        retrying.add(willRetry);
                    }

                    @Override
                    public void onSynced(SyncReport report) {
                        if (report.pushed() > 0) {
                            synced.countDown();
                        }
                    }
                });
                link.failNext.set(2);
                store.put("tasks", "t1", task("t1", "debounced"));
                assertTrue(synced.await(10, TimeUnit.SECONDS), "the debounced sync and its retries never succeeded");
                assertEquals(List.of(true, true), retrying);
                assertTrue(hubStore.get("tasks", "t1").isPresent());
                assertEquals(3, link.pushes.get());
            }
        }
    }

    @Test
    void periodicSyncPullsWithoutBeingAsked() throws Exception {
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).build().start()) {
            MemoryReplicaStore store = MemoryStore.replica();
            try (ReplicaEngine engine = Tether.replica().store(store)
                    .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                    .pollInterval(Duration.ofMillis(50)).build().start()) {
                Map<String, Object> t = task("t1", "from the hub");
                t.put("owner_id", "alice");
                hubStore.put("tasks", "t1", t);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (store.get("tasks", "t1").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(store.get("tasks", "t1").isPresent(), "periodic sync never pulled the hub's write");
            }
        }
    }

    @Test
    void pausedUploadsAndDownloadsWait() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.engine().pauseUploads();
            a.put("t1", task("t1", "held back"));
            a.engine().syncNow();
            assertFalse(f.hubStore.get("tasks", "t1").isPresent());
            assertTrue(a.engine().status().uploadsPaused());
            a.engine().resumeUploads();
            a.engine().syncNow();
            b.engine().pauseDownloads();
            b.engine().syncNow();
            assertFalse(b.store().get("tasks", "t1").isPresent());
            b.engine().resumeDownloads();
            b.engine().syncNow();
            assertTrue(b.store().get("tasks", "t1").isPresent());
        }
    }

    @Test
    void rejectedChangesLeaveTheRetryLoopAndAreReported() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            List<RejectedChange> reported = new CopyOnWriteArrayList<>();
            a.engine().addSyncListener(new SyncListener() {
                @Override
                public void onRejected(RejectedChange rejected) {
                    reported.add(rejected);
                }
            });
            Map<String, Object> bad = task("t1", "x");
            bad.put("priority", "high");
            a.put("t1", bad);
            a.put("t2", task("t2", "fine"));
            SyncReport r = a.engine().syncNow();
            assertEquals(1, r.rejected());
            assertEquals(1, r.pushed());
            assertEquals(1, reported.size());
            assertEquals("validation", reported.get(0).reason());
            assertEquals(0, a.engine().syncNow().rejected(), "not retried automatically");
            assertEquals(1, a.engine().rejected().size());
            a.engine().dismiss(a.engine().rejected().get(0));
            assertEquals(0, a.engine().status().pendingChanges());
            a.engine().syncNow();
            assertFalse(a.store().get("tasks", "t1").isPresent(), "the hub never took t1: dismissed, it goes");
            assertTrue(a.store().get("tasks", "t2").isPresent());
        }
    }

    /** Syncs task t1 titled {@code title}, then edits it locally in a way the hub rejects (a text priority). */
    private static void syncThenEditRejected(SyncFixture.Device a, String title) {
        a.put("t1", task("t1", title));
        a.engine().syncNow();
        Map<String, Object> bad = task("t1", "edited here");
        bad.put("priority", "high");
        a.put("t1", bad);
        assertEquals(1, a.engine().syncNow().rejected());
    }

    /**
     * A retried change is pending again behind a later local change of its record; a write after that folds into the
     * later one, so the record's latest state is pushed last and the hub ends with it.
     */
    @Test
    void aWriteAfterARetryFoldsIntoTheLatestPendingChange() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            syncThenEditRejected(a, "A");
            a.engine().pauseUploads(); // the sync a retry asks for must not push in between
            a.put("t1", task("t1", "B")); // a new change: the rejected one is not pending
            a.engine().retry(a.engine().rejected().get(0));
            a.put("t1", task("t1", "C"));
            a.engine().resumeUploads();
            a.engine().syncNow();
            assertEquals("C", f.hub.records().get("tasks", "t1").orElseThrow().data().get("title"));
            assertEquals("C", a.store().get("tasks", "t1").orElseThrow().data().get("title"));
        }
    }

    /** A dismissed edit gives the record back the hub's state, also when the hub has not changed it since. */
    @Test
    void aDismissedEditGivesTheRecordBackTheHubsState() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            syncThenEditRejected(a, "as the hub has it");
            a.engine().dismiss(a.engine().rejected().get(0));
            a.engine().syncNow();
            assertEquals(f.hub.records().get("tasks", "t1").orElseThrow().data(),
                    a.store().get("tasks", "t1").orElseThrow().data());
            assertEquals("as the hub has it", a.store().get("tasks", "t1").orElseThrow().data().get("title"));
            assertEquals(0, a.engine().status().pendingChanges());
        }
    }

    @Test
    void expiredCursorRunsAnInitialSyncAndKeepsLocalChanges() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "keep"));
            a.put("t2", task("t2", "will be deleted"));
            a.engine().syncNow();
            b.engine().syncNow();
            b.put("t3", task("t3", "offline edit"));
            a.store().delete("tasks", "t2");
            a.engine().syncNow();
            f.hubStore.compact(java.time.Instant.now().plusSeconds(1));
            SyncReport r = b.engine().syncNow();
            assertEquals(1, r.pushed(), "the offline edit survived the re-sync");
            b.engine().syncNow();
            assertFalse(b.store().get("tasks", "t2").isPresent(), "the deleted record is gone after the re-sync");
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()));
        }
    }

    @Test
    void aResyncKeepsRecordsReadableUntilItEndsAndOneCutShortIsFinishedByTheNextSync() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            for (int i = 0; i < 10; i++) {
                a.put("t" + i, task("t" + i, "v" + i));
            }
            a.engine().syncNow();
            InProcessTransport hub = new InProcessTransport(f.hub.service(), Principal.of("alice"));
            AtomicInteger pullsLeft = new AtomicInteger(Integer.MAX_VALUE);
            SyncTransport cut = new ForwardingTransport(hub) {
                @Override
                public PullResponse pull(PullRequest request) {
                    if (pullsLeft.decrementAndGet() < 0) {
                        throw new TransportException("connection lost", false);
                    }
                    return super.pull(request);
                }
            };
            MemoryReplicaStore store = MemoryStore.replica();
            try (ReplicaEngine b = Tether.replica().store(store).transport(cut).schema(SyncFixture.SCHEMA)
                    .pullPageSize(2).pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()) {
                b.syncNow();
                List<String> removed = new CopyOnWriteArrayList<>();
                b.onChange(batch -> batch.changes().stream().filter(e -> e.op() == io.tether.sync.Operation.DELETE)
                        .forEach(e -> removed.add(e.id())));
                a.store().delete("tasks", "t3");
                a.store().delete("tasks", "t8");
                a.engine().syncNow();
                f.hubStore.compact(java.time.Instant.now().plusSeconds(1));

                pullsLeft.set(3); // cursor-expired, two pages of the resync, then the connection drops
                assertThrows(TransportException.class, b::syncNow);
                assertTrue(store.cursor().isPresent(), "the resync got part of the way");
                assertEquals(10, store.count("tasks"), "records stay readable while the resync runs, t3 and t8 too");
                assertEquals(List.of(), removed);

                pullsLeft.set(Integer.MAX_VALUE);
                b.syncNow(); // goes on from the cursor, and ends the resync at the last page
                assertEquals(List.of("t3", "t8"), removed, "only the records the hub no longer has are removed");
                assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(store));
            }
        }
    }

    @Test
    void unknownPluginsAndPropertiesFailWithAUsefulMessage() {
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> Tether.replica()
                .store(MemoryStore.replica()).plugin("rest").build());
        assertTrue(missing.getMessage().contains("No sync plugin 'rest' on the class path"), missing.getMessage());
        assertTrue(missing.getMessage().contains("Found: audit"), missing.getMessage());
        assertTrue(missing.getMessage().contains("Add io.tether:plugin-rest."), missing.getMessage());
        ConfigurationException unknown = assertThrows(ConfigurationException.class, () -> Tether.replica()
                .store(MemoryStore.replica()).property("tether.poll-intervall", "5s").build());
        assertTrue(unknown.getMessage().contains("Unknown property tether.poll-intervall"), unknown.getMessage());
        ConfigurationException badValue = assertThrows(ConfigurationException.class, () -> Tether.replica()
                .store(MemoryStore.replica()).property("tether.poll-interval", "soon").build());
        assertTrue(badValue.getMessage().contains("tether.poll-interval must be a duration"), badValue.getMessage());
        ConfigurationException noTransport = assertThrows(ConfigurationException.class, () -> Tether.replica()
                .store(MemoryStore.replica()).build().start());
        assertTrue(noTransport.getMessage().contains("needs a transport"), noTransport.getMessage());
    }

    @Test
    void pluginsAreStartedWithTheirPropertiesAndStopped() {
        AuditPlugin.events.clear();
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).build().start()) {
            MemoryReplicaStore store = MemoryStore.replica();
            ReplicaEngine engine = Tether.replica().store(store)
                    .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                    .property("tether.plugins", "audit").property("tether.audit.prefix", "seen:")
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
            store.put("tasks", "t1", task("t1", "x"));
            engine.close();
            engine.close();
            assertEquals(List.of("start", "seen:tasks/t1", "stop"), AuditPlugin.events);
        }
    }
}
