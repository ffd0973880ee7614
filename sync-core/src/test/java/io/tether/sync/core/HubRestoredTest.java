package io.tether.sync.core;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hub whose data goes back to an earlier state (restored from a backup) while devices hold what it had
 * acknowledged since: the devices give it back, instead of removing it as records the hub deleted.
 */
class HubRestoredTest {
    static final Principal ALICE = Principal.of("alice");
    static final Principal BOB = Principal.of("bob");

    static HubEngine hub(ConflictPolicy policy) {
        return Tether.hub().store(MemoryStore.hub()).collection(SyncFixture.TASKS).conflictPolicy(policy).build()
                .start();
    }

    static HubEngine hub(MemoryHubStore store) {
        return hub(store, ConflictPolicy.FIELD_MERGE);
    }

    static HubEngine hub(MemoryHubStore store, ConflictPolicy policy) {
        return Tether.hub().store(store).collection(SyncFixture.TASKS).conflictPolicy(policy).build().start();
    }

    /** Writes a task to {@code hub} through a device of its own, as the backup's copy of a write. */
    static void write(HubEngine hub, Principal user, String id, String title) {
        MemoryReplicaStore w = MemoryStore.replica();
        try (ReplicaEngine writer = device(w, new InProcessTransport(hub.service(), user))) {
            w.put("tasks", id, ReplicaHubTest.task(id, title, false));
            writer.syncNow();
        }
    }

    /** Edits a task on {@code hub} through a device of its own that pulls it first. */
    static void edit(HubEngine hub, Principal user, String id, String title) {
        MemoryReplicaStore w = MemoryStore.replica();
        try (ReplicaEngine writer = device(w, new InProcessTransport(hub.service(), user))) {
            writer.syncNow();
            w.put("tasks", id, ReplicaHubTest.task(id, title, false));
            writer.syncNow();
        }
    }

    static ReplicaEngine device(MemoryReplicaStore store, SyncTransport transport) {
        return Tether.replica().store(store).transport(transport).schema(SyncFixture.SCHEMA)
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }

    /**
     * Two hubs with the same first two writes: {@code before} goes on to take a device's edit, a new record and a
     * delete; {@code restored} stops there, as a backup taken between the two would. Device A wrote all of it,
     * device B pulled it as it went; then both meet the restored hub.
     */
    @Test
    void devicesGiveBackWhatARestoredHubLost() {
        try (HubEngine before = hub(ConflictPolicy.FIELD_MERGE); HubEngine restored = hub(ConflictPolicy.FIELD_MERGE)) {
            MemoryReplicaStore a = MemoryStore.replica();
            MemoryReplicaStore b = MemoryStore.replica();
            ForwardingTransport toA = new ForwardingTransport(new InProcessTransport(before.service(), ALICE));
            ForwardingTransport toB = new ForwardingTransport(new InProcessTransport(before.service(), ALICE));
            try (ReplicaEngine engineA = device(a, toA); ReplicaEngine engineB = device(b, toB)) {
                a.put("tasks", "t1", ReplicaHubTest.task("t1", "one", false));
                a.put("tasks", "t2", ReplicaHubTest.task("t2", "two", false));
                engineA.syncNow();
                engineB.syncNow();
                write(restored, ALICE, "t1", "one"); // the backup: the same writes, at the same versions
                write(restored, ALICE, "t2", "two");
                assertEquals(SyncFixture.state(before.records()), SyncFixture.state(restored.records()));

                a.put("tasks", "t1", ReplicaHubTest.task("t1", "one, edited", true));
                a.put("tasks", "t3", ReplicaHubTest.task("t3", "three", false));
                a.delete("tasks", "t2");
                engineA.syncNow();
                engineB.syncNow();
                Map<String, Map<String, Object>> acknowledged = SyncFixture.state(before.records());
                assertEquals(acknowledged, SyncFixture.state(b));

                toA.target = new InProcessTransport(restored.service(), ALICE);
                toB.target = new InProcessTransport(restored.service(), ALICE);
                SyncReport report = engineB.syncNow();
                assertEquals(3, report.pushed(), "the edit, the new record and the delete, pushed again");
                assertEquals(acknowledged, SyncFixture.state(restored.records()));
                assertEquals(acknowledged, SyncFixture.state(b));
                assertEquals(0, engineB.status().pendingChanges());

                engineA.syncNow();
                engineB.syncNow();
                assertEquals(acknowledged, SyncFixture.state(a));
                assertEquals(acknowledged, SyncFixture.state(b));
                assertEquals(acknowledged, SyncFixture.state(restored.records()));
                assertEquals(0, engineA.status().openConflicts() + engineB.status().openConflicts());
            }
        }
    }

    /**
     * Two users, and the restored hub takes new versions past a device's cursor before that device syncs: its
     * cursor is no longer ahead, but its mark (the commit time of the change at its version) is not the restored
     * hub's, and the answer says where the histories part, not where the hub's head is. Bob's lost record sits at a
     * version below the head that Alice's pushes gave the restored hub; with the head as the line, Bob's device
     * removed it.
     */
    @Test
    void aDeviceWhoseCursorTheRestoredHubPassedStillGivesBackWhatItLost() {
        HubServiceTest.MutableClock clock = new HubServiceTest.MutableClock();
        try (HubEngine before = hub(new MemoryHubStore(clock)); HubEngine restored = hub(new MemoryHubStore(clock))) {
            MemoryReplicaStore a = MemoryStore.replica();
            MemoryReplicaStore b = MemoryStore.replica();
            ForwardingTransport toA = new ForwardingTransport(new InProcessTransport(before.service(), ALICE));
            ForwardingTransport toB = new ForwardingTransport(new InProcessTransport(before.service(), BOB));
            try (ReplicaEngine engineA = device(a, toA); ReplicaEngine engineB = device(b, toB)) {
                a.put("tasks", "a1", ReplicaHubTest.task("a1", "alice's first", false));
                b.put("tasks", "b1", ReplicaHubTest.task("b1", "bob's first", false));
                engineA.syncNow();
                engineB.syncNow();
                write(restored, ALICE, "a1", "alice's first"); // the backup: the same writes, versions and times
                write(restored, BOB, "b1", "bob's first");
                clock.now = clock.now.plusSeconds(60); // after the backup
                b.put("tasks", "b2", ReplicaHubTest.task("b2", "bob's second", false));
                engineB.syncNow();
                a.put("tasks", "a2", ReplicaHubTest.task("a2", "alice's second", false));
                a.put("tasks", "a3", ReplicaHubTest.task("a3", "alice's third", false));
                engineA.syncNow();
                engineB.syncNow(); // bob's cursor: version 5, alice's a3
                Map<String, Map<String, Object>> bobs = SyncFixture.state(b);

                clock.now = clock.now.plusSeconds(60); // restored
                toA.target = new InProcessTransport(restored.service(), ALICE);
                toB.target = new InProcessTransport(restored.service(), BOB);
                engineA.syncNow(); // gives back a2 and a3: versions 3 and 4
                a.put("tasks", "a4", ReplicaHubTest.task("a4", "alice's fourth", false));
                a.put("tasks", "a5", ReplicaHubTest.task("a5", "alice's fifth", false));
                engineA.syncNow(); // versions 5 and 6: past bob's cursor
                SyncReport report = engineB.syncNow();

                assertEquals(1, report.pushed(), "bob's b2, pushed again");
                assertEquals(bobs, SyncFixture.state(b));
                assertEquals(bobs.get("b2"), restored.records().get("tasks", "b2").orElseThrow().data());
                assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "b1", "b2"),
                        List.copyOf(SyncFixture.state(restored.records()).keySet()));
                engineA.syncNow();
                assertEquals(List.of("a1", "a2", "a3", "a4", "a5"), List.copyOf(SyncFixture.state(a).keySet()));
            }
        }
    }

    /**
     * Device A wrote a task three times after the backup; device C saw only the second state. A gives back the third,
     * then C syncs with the second: its change is based on the last shared version and stamped as of the change its
     * cursor had seen, so it is a conflict the third state wins. Based on the version C held, it matched the version
     * the restored hub had given A's change, and C's older state overwrote the newer one.
     */
    @ParameterizedTest
    @EnumSource(value = ConflictPolicy.class, names = {"FIELD_MERGE", "LAST_WRITER_WINS"})
    void aDeviceThatSawLessOfTheLostHistoryDoesNotOverwriteWhatAnotherGaveBack(ConflictPolicy policy) {
        HubServiceTest.MutableClock clock = new HubServiceTest.MutableClock();
        try (HubEngine before = hub(new MemoryHubStore(clock), policy);
             HubEngine restored = hub(new MemoryHubStore(clock), policy)) {
            MemoryReplicaStore a = MemoryStore.replica();
            MemoryReplicaStore c = MemoryStore.replica();
            ForwardingTransport toA = new ForwardingTransport(new InProcessTransport(before.service(), ALICE));
            ForwardingTransport toC = new ForwardingTransport(new InProcessTransport(before.service(), ALICE));
            try (ReplicaEngine engineA = device(a, toA); ReplicaEngine engineC = device(c, toC)) {
                a.put("tasks", "t1", ReplicaHubTest.task("t1", "one", false));
                engineA.syncNow();
                engineC.syncNow();
                write(restored, ALICE, "t1", "one"); // the backup
                clock.now = clock.now.plusSeconds(60);
                a.put("tasks", "t1", ReplicaHubTest.task("t1", "two", false));
                engineA.syncNow();
                engineC.syncNow(); // C's last sync: it holds "two"
                clock.now = clock.now.plusSeconds(60);
                a.put("tasks", "t1", ReplicaHubTest.task("t1", "three", false));
                engineA.syncNow();

                clock.now = clock.now.plusSeconds(60); // restored
                toA.target = new InProcessTransport(restored.service(), ALICE);
                toC.target = new InProcessTransport(restored.service(), ALICE);
                engineA.syncNow();
                assertEquals("three", restored.records().get("tasks", "t1").orElseThrow().data().get("title"));
                engineC.syncNow();
                assertEquals("three", restored.records().get("tasks", "t1").orElseThrow().data().get("title"),
                        "the state C had seen is older than the one A gave back");
                assertEquals("three", c.get("tasks", "t1").orElseThrow().data().get("title"));
                engineA.syncNow();
                assertEquals(SyncFixture.state(restored.records()), SyncFixture.state(a));
                assertEquals(0, engineA.status().pendingChanges() + engineC.status().pendingChanges());
            }
        }
    }

    /**
     * The re-pushed records are based on the last version the two histories share. A record the restored hub has not
     * changed since is no conflict: the device's edit is given back, whatever the policy. One it changed since is a
     * conflict its policy decides: with server-wins the hub keeps what it took after the restore, and the device
     * takes it. A record the hub lacks is given back.
     */
    @Test
    void serverWinsKeepsWhatTheRestoredHubTookSince() {
        HubServiceTest.MutableClock clock = new HubServiceTest.MutableClock();
        try (HubEngine before = hub(new MemoryHubStore(clock), ConflictPolicy.SERVER_WINS);
             HubEngine restored = hub(new MemoryHubStore(clock), ConflictPolicy.SERVER_WINS)) {
            MemoryReplicaStore a = MemoryStore.replica();
            ForwardingTransport toA = new ForwardingTransport(new InProcessTransport(before.service(), ALICE));
            try (ReplicaEngine engineA = device(a, toA)) {
                a.put("tasks", "t1", ReplicaHubTest.task("t1", "one", false));
                a.put("tasks", "t3", ReplicaHubTest.task("t3", "three", false));
                engineA.syncNow();
                write(restored, ALICE, "t1", "one");
                write(restored, ALICE, "t3", "three");
                clock.now = clock.now.plusSeconds(60);
                a.put("tasks", "t1", ReplicaHubTest.task("t1", "one, edited", false));
                a.put("tasks", "t2", ReplicaHubTest.task("t2", "two", false));
                a.put("tasks", "t3", ReplicaHubTest.task("t3", "three, edited", false));
                engineA.syncNow();

                clock.now = clock.now.plusSeconds(60);
                edit(restored, ALICE, "t3", "three, edited on the restored hub"); // before the device syncs
                toA.target = new InProcessTransport(restored.service(), ALICE);
                engineA.syncNow();
                Map<String, Map<String, Object>> hub = SyncFixture.state(restored.records());
                assertEquals("one, edited", hub.get("t1").get("title"), "unchanged since the backup: given back");
                assertEquals("two", hub.get("t2").get("title"), "lacking: given back");
                assertEquals("three, edited on the restored hub", hub.get("t3").get("title"), "server-wins");
                assertEquals(hub, SyncFixture.state(a));
            }
        }
    }

    /** A cursor behind the hub's retention is no sign of a restore: the records the hub deleted go. */
    @Test
    void anExpiredCursorQueuesNothingAgain() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device a = f.device("alice");
            SyncFixture.Device b = f.device("alice");
            a.put("t1", ReplicaHubTest.task("t1", "one", false));
            a.put("t2", ReplicaHubTest.task("t2", "two", false));
            a.engine().syncNow();
            b.engine().syncNow();
            a.store().delete("tasks", "t2");
            a.engine().syncNow();
            f.hubStore.compact(java.time.Instant.now().plusSeconds(1));
            SyncReport report = b.engine().syncNow();
            assertEquals(0, report.pushed());
            assertFalse(b.store().get("tasks", "t2").isPresent(), "the record the hub deleted is gone");
            assertTrue(b.store().get("tasks", "t1").isPresent());
            assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(b.store()));
        }
    }
}
