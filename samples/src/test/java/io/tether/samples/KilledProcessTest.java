package io.tether.samples;

import io.tether.samples.domain.Task;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.spi.OutboxState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Processes killed with SIGKILL in the middle of syncing, then started again on the same H2 file, four times at
 * seeded moments (rerun with {@code -Dtether.seed=<seed>}); the database URLs leave H2's write delay as an
 * application's own would, so H2 writes commits to the file up to 500 ms late and a killed process loses them.
 * <ul>
 *   <li>The hub, while a device writes and syncs one task after another: afterwards the hub holds every write once
 *   and the device has nothing left to push. Before the hub made its commits durable it lost pushes it had
 *   acknowledged, and the device, which had settled them, lost its own writes at its next resync.</li>
 *   <li>A device, while it adds tasks and syncs: it may lose its last local writes, as it would without Tether, but
 *   afterwards it holds what the hub holds, each task applied on the hub once. Before the store raised its sequence
 *   counter to the clock at start, a write after the restart took a change id the hub had seen, was answered
 *   {@code duplicate} and never reached the hub.</li>
 * </ul>
 */
class KilledProcessTest {
    private static final int KILLS = 4;

    @Test
    void aHubKilledWhileADeviceSyncsLosesNothingItAcknowledgedAndAppliesNothingTwice(@TempDir Path directory) {
        Seeded.run(random -> killHubWhileSyncing(directory, random));
    }

    private void killHubWhileSyncing(Path directory, Random random) throws Exception {
        Logging.quiet();
        int port = HubProcessTest.freePort();
        Path hubFile = directory.resolve("hub").toAbsolutePath();
        String[] hubArgs = {"--host", "127.0.0.1", "--port", Integer.toString(port), "--jwt-secret",
                HubAndDeviceTest.SECRET, "--db", "jdbc:h2:file:" + hubFile + ";LOCK_TIMEOUT=20000"};
        String token = new JwtIssuer(HubAndDeviceTest.SECRET).issue("alice", Duration.ofMinutes(10));
        Set<String> written = ConcurrentHashMap.newKeySet();
        List<String> killedAt = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Process hub = started(directory, hubArgs);
        try (DeviceApp device = DeviceApp.open(new DeviceApp.Settings(URI.create("http://127.0.0.1:" + port), "alice",
                token, directory.resolve("device").toString(), Duration.ZERO, Duration.ZERO))) {
            // one write and one sync after another, so that the hub commits all the time, also when it is killed
            Future<?> writes = writer.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = "t" + i;
                    device.add(id, "task " + i, null);
                    written.add(id);
                    try {
                        device.engine().syncNow();
                    } catch (RuntimeException e) {
                        // the hub is down: the write waits in the outbox for a later sync
                    }
                }
                return null;
            });
            for (int kill = 0; kill < KILLS; kill++) {
                int afterMs = 300 + random.nextInt(700);
                Thread.sleep(afterMs);
                hub.destroyForcibly(); // SIGKILL: nothing of the hub's runs after it
                assertTrue(hub.waitFor(30, TimeUnit.SECONDS), "the killed hub exits");
                killedAt.add(afterMs + " ms with " + written.size() + " written");
                hub = started(directory, hubArgs);
            }
            Thread.sleep(500);
            stop.set(true);
            writes.get(120, TimeUnit.SECONDS);
            for (int attempt = 0; attempt < 3 && pending(device) > 0; attempt++) {
                device.engine().syncNow();
            }
            assertEquals(0, pending(device), "the device has pushed everything (hub killed after " + killedAt + ")");
            assertEquals(new TreeSet<>(written), ids(device), "the device holds its own writes");
            System.out.println("[hub crash] " + written.size() + " writes; the hub was killed after " + killedAt);
        } finally {
            stop.set(true);
            writer.shutdownNow();
            hub.destroy();
            assertTrue(hub.waitFor(30, TimeUnit.SECONDS), "the hub stops on SIGTERM");
        }
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + hubFile);
             Statement s = c.createStatement()) {
            assertEquals(new TreeSet<>(written), strings(s, "select id from tasks"),
                    "the hub holds every write the device made (hub killed after " + killedAt + ")");
            assertEquals(Set.of(), strings(s, "select record_id from tether_change_log group by record_id "
                    + "having count(*) > 1"), "no write was applied twice");
            assertEquals(Set.of(Integer.toString(written.size())), strings(s, "select (select count(*) from "
                    + "tether_dedup) + (select coalesce(sum(last_seq - first_seq + 1), 0) from tether_dedup_run)"),
                    "one dedup entry per change (a row, or a sequence in a run)");
        }
    }

    private static Process started(Path directory, String[] hubArgs) throws Exception {
        HubProcessTest.HubProcess hub = HubProcessTest.startHub(directory, hubArgs);
        assertTrue(hub.process().isAlive() && hub.output().stream().anyMatch(l -> l.contains("Press Ctrl-C")),
                String.join("\n", hub.output()));
        return hub.process();
    }

    private static long pending(DeviceApp device) {
        return device.store().outboxCount(EnumSet.of(OutboxState.PENDING, OutboxState.SENT));
    }

    private static Set<String> ids(DeviceApp device) {
        Set<String> ids = new TreeSet<>();
        device.tasks().forEach(t -> ids.add(t.getId()));
        return ids;
    }

    private static Set<String> strings(Statement s, String query) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void aDeviceKilledWhileItSyncsEndsHoldingWhatTheHubHoldsEachWriteAppliedOnce(@TempDir Path directory) {
        Seeded.run(random -> killDeviceWhileSyncing(directory, random));
    }

    private void killDeviceWhileSyncing(Path directory, Random random) throws Exception {
        Logging.quiet();
        String db = "jdbc:h2:file:" + directory.resolve("device").toAbsolutePath() + ";LOCK_TIMEOUT=20000";
        List<String> killedAt = new ArrayList<>();
        try (HubApp hub = HubApp.start(HubApp.Settings.defaults().host("127.0.0.1").port(0)
                .jwtSecret(HubAndDeviceTest.SECRET))) {
            String token = hub.token("alice", Duration.ofMinutes(10));
            int written = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                Process device = HubProcessTest.java(directory, "device", "--hub", hub.url().toString(), "--token",
                        token, "--db", db);
                List<String> output = HubProcessTest.collect(device);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (output.stream().noneMatch(l -> l.startsWith("Device of alice")) && device.isAlive()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(device.isAlive(), String.join("\n", output));
                // adds and syncs, one after another, as fast as the device takes them
                OutputStream in = device.getOutputStream();
                int first = written;
                Thread feeder = new Thread(() -> {
                    try {
                        for (int i = first; ; i++) {
                            in.write(("add task " + i + "\nsync\n").getBytes(StandardCharsets.UTF_8));
                            in.flush();
                            Thread.sleep(5);
                        }
                    } catch (IOException | InterruptedException e) {
                        // the device died, or the test stopped feeding it
                    }
                }, "test-device-input");
                feeder.start();
                while (output.stream().filter(l -> l.startsWith("synced: ")).count() < 3 && device.isAlive()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Thread.sleep(random.nextInt(600));
                device.destroyForcibly(); // SIGKILL, in the middle of adding and syncing
                assertTrue(device.waitFor(30, TimeUnit.SECONDS), "the killed device exits");
                feeder.interrupt();
                feeder.join(10_000);
                long added = output.stream().filter(l -> l.startsWith("added ")).count();
                written += (int) added;
                killedAt.add(added + " added");
            }
            try (DeviceApp device = DeviceApp.open(new DeviceApp.Settings(URI.create(hub.url().toString()), "alice",
                    token, db, Duration.ZERO, Duration.ZERO))) {
                device.engine().syncNow();
                device.engine().syncNow();
                Map<String, String> held = titles(device.tasks());
                Map<String, String> hubHolds = titles(hub.database().inTransaction(em ->
                        em.createQuery("select t from Task t", Task.class).getResultList()));
                assertEquals(hubHolds, held, "the device holds what the hub holds (killed after " + killedAt + ")");
                assertEquals(0L, device.engine().status().pendingChanges(), "nothing is left to push");
                assertEquals(List.of(), hub.database().inTransaction(em -> em.createNativeQuery("select record_id from "
                        + "tether_change_log group by record_id having count(*) > 1").getResultList()),
                        "no task was applied twice");
                assertTrue(held.size() > killedAt.size(), "the devices wrote and synced: " + held.size() + " tasks");
                System.out.println("[device crash] " + held.size() + " tasks on both sides of " + written
                        + " the devices said they added; killed after " + killedAt);
            }
        }
    }

    private static Map<String, String> titles(List<Task> tasks) {
        Map<String, String> out = new TreeMap<>();
        tasks.forEach(t -> out.put(t.getId(), t.getTitle()));
        return out;
    }
}
