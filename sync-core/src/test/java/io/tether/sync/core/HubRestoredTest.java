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
import java.util.ArrayList;
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

    /**
     * Two memory hubs on one clock the test moves: {@code before}, and {@code restored}, which the test gives the
     * writes a backup of {@code before} would hold. Devices sync with {@code before} until {@link #restore()}.
     */
    static final class Restore implements AutoCloseable {
        final HubServiceTest.MutableClock clock = new HubServiceTest.MutableClock();
        final HubEngine before;
        final HubEngine restored;
        final List<Device> devices = new ArrayList<>();

        record Device(Principal user, MemoryReplicaStore store, ForwardingTransport transport, ReplicaEngine engine) {
            void put(String id, String title) {
                store.put("tasks", id, ReplicaHubTest.task(id, title, false));
            }

            SyncReport sync() {
                return engine.syncNow();
            }

            Map<String, Map<String, Object>> state() {
                return SyncFixture.state(store);
            }
        }

        Restore(ConflictPolicy policy) {
            before = hub(new MemoryHubStore(clock), policy);
            restored = hub(new MemoryHubStore(clock), policy);
        }

        private static HubEngine hub(MemoryHubStore store, ConflictPolicy policy) {
            return Tether.hub().store(store).collection(SyncFixture.TASKS).conflictPolicy(policy).build().start();
        }

        Device device(Principal user) {
            MemoryReplicaStore store = MemoryStore.replica();
            ForwardingTransport transport = new ForwardingTransport(new InProcessTransport(before.service(), user));
            Device d = new Device(user, store, transport, HubRestoredTest.device(store, transport));
            devices.add(d);
            return d;
        }

        /** Moves the clock on. */
        void later() {
            clock.now = clock.now.plusSeconds(60);
        }

        /** The devices meet the restored hub from now on, a minute later. */
        void restore() {
            later();
            devices.forEach(d -> d.transport().target = new InProcessTransport(restored.service(), d.user()));
        }

        /** A task as the restored hub holds it. */
        Object title(String id) {
            return restored.records().get("tasks", id).orElseThrow().data().get("title");
        }

        /** Writes a task to the restored hub through a device of its own, as the backup's copy of a write. */
        void backup(Principal user, String id, String title) {
            MemoryReplicaStore w = MemoryStore.replica();
            try (ReplicaEngine writer = HubRestoredTest.device(w, new InProcessTransport(restored.service(), user))) {
                w.put("tasks", id, ReplicaHubTest.task(id, title, false));
                writer.syncNow();
            }
        }

        /** Edits a task on the restored hub through a device of its own that pulls it first. */
        void editOnRestored(Principal user, String id, String title) {
            MemoryReplicaStore w = MemoryStore.replica();
            try (ReplicaEngine writer = HubRestoredTest.device(w, new InProcessTransport(restored.service(), user))) {
                writer.syncNow();
                w.put("tasks", id, ReplicaHubTest.task(id, title, false));
                writer.syncNow();
            }
        }

        @Override
        public void close() {
            devices.forEach(d -> d.engine().close());
            before.close();
            restored.close();
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
        try (Restore r = new Restore(ConflictPolicy.FIELD_MERGE)) {
            Restore.Device a = r.device(ALICE);
            Restore.Device b = r.device(ALICE);
            a.put("t1", "one");
            a.put("t2", "two");
            a.sync();
            b.sync();
            r.backup(ALICE, "t1", "one");
            r.backup(ALICE, "t2", "two");
            assertEquals(SyncFixture.state(r.before.records()), SyncFixture.state(r.restored.records()));

            r.later();
            a.store().put("tasks", "t1", ReplicaHubTest.task("t1", "one, edited", true));
            a.put("t3", "three");
            a.store().delete("tasks", "t2");
            a.sync();
            b.sync();
            Map<String, Map<String, Object>> acknowledged = SyncFixture.state(r.before.records());
            assertEquals(acknowledged, b.state());

            r.restore();
            assertEquals(3, b.sync().pushed(), "the edit, the new record and the delete, pushed again");
            assertEquals(acknowledged, SyncFixture.state(r.restored.records()));
            assertEquals(acknowledged, b.state());
            assertEquals(0, b.engine().status().pendingChanges());

            a.sync();
            b.sync();
            assertEquals(acknowledged, a.state());
            assertEquals(acknowledged, b.state());
            assertEquals(acknowledged, SyncFixture.state(r.restored.records()));
            assertEquals(0, a.engine().status().openConflicts() + b.engine().status().openConflicts());
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
        try (Restore r = new Restore(ConflictPolicy.FIELD_MERGE)) {
            Restore.Device a = r.device(ALICE);
            Restore.Device b = r.device(BOB);
            a.put("a1", "alice's first");
            b.put("b1", "bob's first");
            a.sync();
            b.sync();
            r.backup(ALICE, "a1", "alice's first"); // the same writes, versions and times
            r.backup(BOB, "b1", "bob's first");
            r.later();
            b.put("b2", "bob's second");
            b.sync();
            a.put("a2", "alice's second");
            a.put("a3", "alice's third");
            a.sync();
            b.sync(); // bob's cursor: version 5, alice's a3
            Map<String, Map<String, Object>> bobs = b.state();

            r.restore();
            a.sync(); // gives back a2 and a3: versions 3 and 4
            a.put("a4", "alice's fourth");
            a.put("a5", "alice's fifth");
            a.sync(); // versions 5 and 6: past bob's cursor
            assertEquals(1, b.sync().pushed(), "bob's b2, pushed again");
            assertEquals(bobs, b.state());
            assertEquals("bob's second", r.title("b2"));
            assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "b1", "b2"),
                    List.copyOf(SyncFixture.state(r.restored.records()).keySet()));
            a.sync();
            assertEquals(List.of("a1", "a2", "a3", "a4", "a5"), List.copyOf(a.state().keySet()));
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
        try (Restore r = new Restore(policy)) {
            Restore.Device a = r.device(ALICE);
            Restore.Device c = r.device(ALICE);
            a.put("t1", "one");
            a.sync();
            c.sync();
            r.backup(ALICE, "t1", "one");
            r.later();
            a.put("t1", "two");
            a.sync();
            c.sync(); // C's last sync: it holds "two"
            r.later();
            a.put("t1", "three");
            a.sync();

            r.restore();
            a.sync();
            assertEquals("three", r.title("t1"));
            c.sync();
            assertEquals("three", r.title("t1"), "the state C had seen is older than the one A gave back");
            assertEquals("three", c.state().get("t1").get("title"));
            a.sync();
            assertEquals(SyncFixture.state(r.restored.records()), a.state());
            assertEquals(0, a.engine().status().pendingChanges() + c.engine().status().pendingChanges());
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
        try (Restore r = new Restore(ConflictPolicy.SERVER_WINS)) {
            Restore.Device a = r.device(ALICE);
            a.put("t1", "one");
            a.put("t3", "three");
            a.sync();
            r.backup(ALICE, "t1", "one");
            r.backup(ALICE, "t3", "three");
            r.later();
            a.put("t1", "one, edited");
            a.put("t2", "two");
            a.put("t3", "three, edited");
            a.sync();

            r.restore();
            r.editOnRestored(ALICE, "t3", "three, edited on the restored hub"); // before the device syncs
            a.sync();
            assertEquals("one, edited", r.title("t1"), "unchanged since the backup: given back");
            assertEquals("two", r.title("t2"), "lacking: given back");
            assertEquals("three, edited on the restored hub", r.title("t3"), "server-wins");
            assertEquals(SyncFixture.state(r.restored.records()), a.state());
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
