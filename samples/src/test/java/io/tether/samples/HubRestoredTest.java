package io.tether.samples;

import io.tether.sync.SyncRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sample hub on an H2 file, stopped and started again on a copy of that file taken earlier, as an operator
 * restores a backup, while two devices hold what the hub acknowledged after the copy: the devices give it back. On
 * the code before, they removed those records as ones the hub had deleted, and the device that had a record at a
 * later version than the backup's removed that one too, although the hub had it.
 */
class HubRestoredTest {
    static final String SECRET = "a-test-secret-of-at-least-32-bytes!";

    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void quiet() {
        Logging.quiet();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    HubApp startHub() {
        HubApp hub = HubApp.start(HubApp.Settings.defaults().host("127.0.0.1").port(0).jwtSecret(SECRET)
                .db(dir.resolve("hub").toString()));
        open.add(hub);
        return hub;
    }

    /** The device on its H2 file, as the application opens it again after the hub moved (its port is new). */
    DeviceApp device(HubApp hub, String name) {
        DeviceApp device = DeviceApp.open(new DeviceApp.Settings(hub.url(), "alice",
                hub.token("alice", Duration.ofHours(1)), dir.resolve(name).toString(), Duration.ZERO, Duration.ZERO));
        open.add(device);
        return device;
    }

    /** Every record of both collections, by collection and id, with the fields a device and the hub share. */
    static Map<String, Map<String, Object>> state(io.tether.sync.RecordQuery records) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (String collection : List.of("projects", "tasks")) {
            for (SyncRecord r : records.list(collection)) {
                out.put(collection + "/" + r.id(), r.data());
            }
        }
        return out;
    }

    @Test
    void devicesGiveBackWhatTheHubsBackupLacks() throws Exception {
        HubApp hub = startHub();
        DeviceApp a = device(hub, "a");
        DeviceApp b = device(hub, "b");
        a.addProject("p1", "Home");
        a.add("t1", "one", "p1");
        a.add("t2", "two", null);
        a.engine().syncNow();
        b.engine().syncNow();
        hub.close();
        Files.copy(dir.resolve("hub.mv.db"), dir.resolve("backup.mv.db"));

        hub = startHub();
        a = device(hub, "a");
        b = device(hub, "b");
        a.update("t1", t -> t.setTitle("one, edited"));
        a.addProject("p2", "Work");
        a.add("t3", "three", "p2");
        a.delete("t2");
        a.engine().syncNow();
        b.engine().syncNow();
        Map<String, Map<String, Object>> acknowledged = new TreeMap<>(state(hub.engine().records()));
        assertEquals(List.of("projects/p1", "projects/p2", "tasks/t1", "tasks/t3"), List.copyOf(acknowledged.keySet()));
        assertEquals(acknowledged, state(b.engine().records()));
        hub.close();

        Files.copy(dir.resolve("backup.mv.db"), dir.resolve("hub.mv.db"), StandardCopyOption.REPLACE_EXISTING);
        hub = startHub();
        assertEquals(List.of("projects/p1", "tasks/t1", "tasks/t2"),
                List.copyOf(state(hub.engine().records()).keySet()), "the restored hub has the backup's records");
        a = device(hub, "a");
        b = device(hub, "b");
        a.engine().syncNow(); // gives back what it holds: the restored hub's head passes the devices' cursors
        a.add("t4", "four", "p2");
        a.engine().syncNow();
        b.engine().syncNow(); // its cursor is no longer ahead, but marks a change of the history the hub lost
        a.engine().syncNow();

        acknowledged.put("tasks/t4", hub.engine().records().get("tasks", "t4").orElseThrow().data());
        assertEquals(acknowledged, state(hub.engine().records()), "the hub has again what it had acknowledged");
        assertEquals(acknowledged, state(a.engine().records()));
        assertEquals(acknowledged, state(b.engine().records()));
        for (DeviceApp device : List.of(a, b)) {
            assertEquals(0, device.engine().status().pendingChanges() + device.engine().status().rejectedChanges()
                    + device.engine().status().openConflicts(), device.engine().status().toString());
        }
    }
}
