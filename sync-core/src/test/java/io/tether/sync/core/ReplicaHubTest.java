package io.tether.sync.core;

import io.tether.sync.Conflict;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.SyncReport;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaHubTest {

    static Map<String, Object> task(String id, String title, Boolean done) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("done", done);
        return m;
    }

    @Test
    void createsReachTheHubAndOtherReplicas() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "Buy milk", false));
            SyncReport report = a.engine().syncNow();
            assertEquals(1, report.pushed());
            b.engine().syncNow();
            assertEquals("Buy milk", b.store().get("tasks", "t1").orElseThrow().data().get("title"));
            assertEquals("alice", f.hubStore.get("tasks", "t1").orElseThrow().data().get("owner_id"));
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()));
            assertEquals(0, a.engine().status().pendingChanges());
        }
    }

    @Test
    void offlineEditsOfDifferentFieldsMerge() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "Buy milk", false));
            a.engine().syncNow();
            b.engine().syncNow();
            a.transport().disconnect();
            edit(a, "title", "Buy oat milk");
            edit(b, "done", true);
            b.engine().syncNow();
            a.transport().reconnect();
            SyncReport r = a.engine().syncNow();
            assertEquals(1, r.pushed(), "merged counts as acknowledged");
            b.engine().syncNow();
            Map<String, Object> hub = f.hubStore.get("tasks", "t1").orElseThrow().data();
            assertEquals("Buy oat milk", hub.get("title"));
            assertEquals(true, hub.get("done"));
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(a.store()));
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()));
        }
    }

    @Test
    void aPendingEditIsPushedWithTheDeliveryMergedIntoItWhileItWaited() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.CLIENT_WINS)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "Buy milk", false));
            a.engine().syncNow();
            b.engine().syncNow();
            a.engine().pauseUploads();
            edit(a, "title", "Buy oat milk");
            edit(b, "done", true);
            b.engine().syncNow();
            a.engine().syncNow(); // pulls b's edit under the pending one: the record now holds both
            assertEquals(task("t1", "Buy oat milk", true), idTitleDone(a.store().get("tasks", "t1").orElseThrow().data()));
            a.engine().resumeUploads();
            assertEquals(1, a.engine().syncNow().pushed());
            b.engine().syncNow();
            // the client wins with the record as it holds it, b's edit included, not as it was captured
            assertEquals(task("t1", "Buy oat milk", true), idTitleDone(f.hubStore.get("tasks", "t1").orElseThrow().data()));
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(a.store()));
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()));
        }
    }

    /** Sets one field of t1 on a device, keeping the rest of its local state. */
    private static void edit(SyncFixture.Device d, String field, Object value) {
        Map<String, Object> data = new HashMap<>(d.store().get("tasks", "t1").orElseThrow().data());
        data.put(field, value);
        d.put("t1", data);
    }

    /** The fields the test compares: id, title and done (not the scope the hub sets, nor the unset priority). */
    private static Map<String, Object> idTitleDone(Map<String, Object> data) {
        Map<String, Object> m = new HashMap<>(data);
        m.remove("owner_id");
        m.remove("priority");
        return m;
    }

    @Test
    void manualConflictsWaitInTheQueueUntilResolved() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.MANUAL)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "Buy milk", false));
            a.engine().syncNow();
            b.engine().syncNow();
            edit(a, "title", "A's title");
            edit(b, "title", "B's title");
            b.engine().syncNow();
            SyncReport r = a.engine().syncNow();
            assertEquals(1, r.conflicts());
            List<Conflict> open = a.engine().conflicts().list();
            assertEquals(1, open.size());
            assertEquals("B's title", open.get(0).hub().get("title"));
            assertEquals("A's title", a.store().get("tasks", "t1").orElseThrow().data().get("title"),
                    "the local edit is kept while the conflict is open");
            a.engine().conflicts().keepLocal(open.get(0));
            a.engine().syncNow();
            assertTrue(a.engine().conflicts().list().isEmpty());
            b.engine().syncNow();
            assertEquals("A's title", f.hubStore.get("tasks", "t1").orElseThrow().data().get("title"));
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()));
        }
    }

    @Test
    void deletesPropagate() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", task("t1", "Buy milk", false));
            a.engine().syncNow();
            b.engine().syncNow();
            b.store().delete("tasks", "t1");
            b.engine().syncNow();
            a.engine().syncNow();
            assertFalse(a.store().get("tasks", "t1").isPresent());
            assertFalse(f.hubStore.get("tasks", "t1").isPresent());
        }
    }

    @Test
    void anEntryFoldedAwayBetweenSelectionAndSendingIsNotSent() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            MemoryReplicaStore real = MemoryStore.replica();
            java.util.concurrent.atomic.AtomicBoolean deleteOnce = new java.util.concurrent.atomic.AtomicBoolean();
            // a store that lets the application delete t1 right after the engine selected t1's entry to send
            io.tether.sync.spi.ReplicaStore racing = (io.tether.sync.spi.ReplicaStore) java.lang.reflect.Proxy
                    .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {io.tether.sync.spi.ReplicaStore.class},
                            (proxy, method, args) -> {
                                Object result;
                                try {
                                    result = method.invoke(real, args);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                                if (method.getName().equals("outbox") && deleteOnce.compareAndSet(true, false)) {
                                    real.delete("tasks", "t1");
                                }
                                return result;
                            });
            io.tether.sync.ReplicaEngine engine = io.tether.sync.Tether.replica().store(racing)
                    .transport(new InProcessTransport(f.hub.service(), io.tether.sync.spi.Principal.of("alice")))
                    .schema(SyncFixture.SCHEMA).pollInterval(java.time.Duration.ZERO)
                    .debounce(java.time.Duration.ZERO).build().start();
            try {
                real.put("tasks", "t1", task("t1", "Never mind", false));
                deleteOnce.set(true);
                SyncReport report = engine.syncNow();
                assertEquals(0, report.pushed(), "the insert was withdrawn before it was sent");
                assertTrue(f.hubStore.get("tasks", "t1").isEmpty(), "the hub never heard of t1");
                assertTrue(real.get("tasks", "t1").isEmpty());
                assertEquals(0, engine.status().pendingChanges());
            } finally {
                engine.close();
            }
        }
    }
}
