package io.tether.sync.rest;

import io.tether.sync.Conflict;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.SyncReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.tether.sync.rest.RestFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine end to end over real HTTP: a hub on a memory store and replicas through {@link RestTransport}. */
class RestEndToEndIT {

    /** Two devices of alice edit t1 while offline (no sync), A's edit first; then they sync in the given order. */
    static void offlineEditsOfTitle(RestFixture f, RestFixture.Device a, RestFixture.Device b) {
        a.put("t1", "Buy milk", false);
        a.engine().syncNow();
        b.engine().syncNow();
        a.edit("t1", d -> { d.put("title", "A's title"); return d; });
        sleepAMillisecond(); // B's edit is the later write by the clocks
        b.edit("t1", d -> { d.put("title", "B's title"); return d; });
    }

    static void converge(RestFixture f) {
        for (int round = 0; round < 2; round++) {
            f.devices.forEach(d -> d.engine().syncNow());
        }
        for (RestFixture.Device d : f.devices) {
            assertEquals(f.hubStateOf(d.user()), state(d.store()), d.user() + "'s replica converged to the hub");
            assertEquals(0, d.engine().status().pendingChanges());
        }
    }

    static void sleepAMillisecond() {
        try {
            Thread.sleep(3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Object hubTitle(RestFixture f) {
        return f.hubStore.get("tasks", "t1").orElseThrow().data().get("title");
    }

    @Test
    void createsUpdatesAndDeletesReachTheOtherReplica() {
        try (RestFixture f = new RestFixture(ConflictPolicy.FIELD_MERGE)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            for (int i = 0; i < 120; i++) {
                a.put("t" + i, "task " + i, false);
            }
            assertEquals(120, a.engine().syncNow().pushed());
            b.engine().syncNow();
            assertEquals(120, b.store().list("tasks").size());
            assertEquals("alice", f.hubStore.get("tasks", "t7").orElseThrow().data().get("owner_id"),
                    "the hub set the scope field");
            b.edit("t7", d -> { d.put("done", true); return d; });
            b.store().delete("tasks", "t8");
            b.engine().syncNow();
            a.engine().syncNow();
            assertEquals(true, a.store().get("tasks", "t7").orElseThrow().data().get("done"));
            assertFalse(a.store().get("tasks", "t8").isPresent());
            assertFalse(f.hubStore.get("tasks", "t8").isPresent());
            converge(f);
        }
    }

    @Test
    void serverWinsKeepsTheFirstPushedEdit() {
        try (RestFixture f = new RestFixture(ConflictPolicy.SERVER_WINS)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            offlineEditsOfTitle(f, a, b);
            a.engine().syncNow();
            SyncReport r = b.engine().syncNow();
            assertEquals(1, r.conflicts());
            assertEquals("A's title", hubTitle(f));
            converge(f);
            assertEquals("A's title", b.store().get("tasks", "t1").orElseThrow().data().get("title"));
        }
    }

    @Test
    void clientWinsTakesTheLastPushedEdit() {
        try (RestFixture f = new RestFixture(ConflictPolicy.CLIENT_WINS)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            offlineEditsOfTitle(f, a, b);
            b.engine().syncNow();
            a.engine().syncNow();
            assertEquals("A's title", hubTitle(f));
            converge(f);
        }
    }

    @Test
    void lastWriterWinsByClockWhateverThePushOrder() {
        try (RestFixture f = new RestFixture(ConflictPolicy.LAST_WRITER_WINS)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            offlineEditsOfTitle(f, a, b);
            b.engine().syncNow();
            a.engine().syncNow(); // A's edit is older: it loses although pushed last
            assertEquals("B's title", hubTitle(f));
            converge(f);
        }
    }

    @Test
    void fieldMergeKeepsBothSidesFields() {
        try (RestFixture f = new RestFixture(ConflictPolicy.FIELD_MERGE)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            a.put("t1", "Buy milk", false);
            a.engine().syncNow();
            b.engine().syncNow();
            a.edit("t1", d -> { d.put("title", "Buy oat milk"); return d; });
            b.edit("t1", d -> { d.put("done", true); return d; });
            b.engine().syncNow();
            a.engine().syncNow();
            Map<String, Object> hub = f.hubStore.get("tasks", "t1").orElseThrow().data();
            assertEquals("Buy oat milk", hub.get("title"));
            assertEquals(true, hub.get("done"));
            converge(f);
        }
    }

    @Test
    void manualConflictWaitsForTheApplication() {
        try (RestFixture f = new RestFixture(ConflictPolicy.MANUAL)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            offlineEditsOfTitle(f, a, b);
            b.engine().syncNow();
            assertEquals(1, a.engine().syncNow().conflicts());
            List<Conflict> open = a.engine().conflicts().list();
            assertEquals(1, open.size());
            assertEquals("B's title", open.get(0).hub().get("title"));
            a.engine().conflicts().keepLocal(open.get(0));
            converge(f);
            assertEquals("A's title", hubTitle(f));
            assertTrue(a.engine().conflicts().list().isEmpty());
        }
    }

    @Test
    void deleteAgainstAnOfflineEditConverges() {
        try (RestFixture f = new RestFixture(ConflictPolicy.FIELD_MERGE)) {
            RestFixture.Device a = f.device("alice");
            RestFixture.Device b = f.device("alice");
            a.put("t1", "Buy milk", false);
            a.engine().syncNow();
            b.engine().syncNow();
            a.store().delete("tasks", "t1");
            sleepAMillisecond();
            b.edit("t1", d -> { d.put("title", "still needed"); return d; });
            a.engine().syncNow();
            b.engine().syncNow();
            converge(f);
            assertEquals(state(a.store()), state(b.store()));
        }
    }

    @Test
    void expiredTokenIsReplacedByTheSupplierWithoutFailingTheCycle() {
        try (RestFixture f = new RestFixture(ConflictPolicy.FIELD_MERGE)) {
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            String expired = RestFixture.TOKENS.issue("alice", java.time.Instant.now().minusSeconds(7200),
                    java.time.Instant.now().minusSeconds(3600));
            RestFixture.Device a = f.device("alice", f.server.uri(), b -> b.tokenSupplier(
                    () -> asked.incrementAndGet() == 1 ? expired : RestFixture.token("alice")));
            a.put("t1", "Buy milk", false);
            assertEquals(1, a.engine().syncNow().pushed());
            assertTrue(f.hubStore.get("tasks", "t1").isPresent());
            assertTrue(asked.get() >= 2, "the supplier was asked again after the 401");
        }
    }

    @Test
    void twoUsersNeverSeeEachOthersRecords() {
        try (RestFixture f = new RestFixture(ConflictPolicy.FIELD_MERGE)) {
            RestFixture.Device alice = f.device("alice");
            RestFixture.Device bob = f.device("bob");
            alice.put("a1", "alice's secret", false);
            bob.put("b1", "bob's secret", false);
            alice.engine().syncNow();
            bob.engine().syncNow();
            converge(f);
            assertEquals(List.of("a1"), alice.store().list("tasks").stream().map(r -> r.id()).toList());
            assertEquals(List.of("b1"), bob.store().list("tasks").stream().map(r -> r.id()).toList());
            assertEquals(2, f.hubStore.list("tasks").size());
        }
    }
}
