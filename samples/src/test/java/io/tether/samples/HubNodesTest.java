package io.tether.samples;

import io.tether.samples.domain.Task;
import io.tether.sync.SyncRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hub nodes over one database (H2 shared in memory, and PostgreSQL when reachable), the scale-out of DESIGN.md:
 * a device live on node A receives over its WebSocket, without asking, every change committed through either node,
 * also those node B commits between two of node A's own (it used to receive only node A's, and its cursor then
 * passed over node B's versions for good, so that not even a later sync brought them).
 */
class HubNodesTest {
    private static final int WRITES = 24;

    @Test
    void aDeviceLiveOnOneNodeGetsWhatEveryNodeCommitsOnH2() throws Exception {
        run("jdbc:h2:mem:nodes-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000", null, null);
    }

    @Test
    void aDeviceLiveOnOneNodeGetsWhatEveryNodeCommitsOnPostgres() throws Exception {
        String schema = HubOnPostgresTest.createSchemaOrSkip();
        try {
            HubApp.Settings pg = HubOnPostgresTest.hubIn(schema, HubAndDeviceTest.SECRET);
            run(pg.db(), pg.dbUser(), pg.dbPassword());
        } finally {
            HubOnPostgresTest.dropSchema(schema);
        }
    }

    private void run(String db, String dbUser, String dbPassword) throws Exception {
        assumeTrue(Transports.live(), "plugin-websocket is not on the class path");
        Logging.quiet();
        HubApp.Settings settings = new HubApp.Settings("127.0.0.1", 0, db, dbUser, dbPassword,
                HubAndDeviceTest.SECRET, Duration.ofDays(1));
        try (HubApp a = HubApp.start(settings);
             HubApp b = HubApp.start(settings);
             DeviceApp watcher = device(a);
             DeviceApp writerA = device(a);
             DeviceApp writerB = device(b)) {
            watcher.engine().syncNow();
            awaitTrue(() -> watcher.engine().status().live(), "the watcher's socket on node A is live");

            Set<String> written = new TreeSet<>();
            for (int i = 0; i < WRITES; i++) {
                DeviceApp writer = i % 2 == 0 ? writerA : writerB; // node A and node B commit in turn
                String id = "t" + i;
                writer.add(id, "task " + i + " through node " + (writer == writerA ? "A" : "B"), null);
                writer.engine().syncNow();
                written.add(id);
            }
            assertEquals(written, ids(a), "node A's store holds both nodes' writes");

            awaitTrue(() -> ids(watcher).equals(written), "the watcher receives every write live");
            assertEquals(0, watcher.engine().syncNow().pulled(), "a sync finds nothing the socket did not deliver");
            assertEquals(written, ids(watcher));
            writerB.engine().syncNow();
            assertEquals(written, ids(writerB), "a device of node B pulls node A's writes through it");
        }
    }

    private static DeviceApp device(HubApp hub) {
        return DeviceApp.open(new DeviceApp.Settings(hub.url(), "alice", hub.token("alice", Duration.ofMinutes(5)),
                "mem", Duration.ZERO, Duration.ZERO));
    }

    private static Set<String> ids(DeviceApp device) {
        return device.tasks().stream().map(Task::getId).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> ids(HubApp hub) {
        return hub.store().list("tasks").stream().map(SyncRecord::id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }
}
