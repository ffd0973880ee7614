package io.tether.samples;

import io.tether.samples.domain.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device as a process of its own, on an H2 file whose URL leaves H2's write delay (commits reach the file up to
 * 500 ms late, as with an application's own URL), killed with SIGKILL at seeded moments while it adds tasks and syncs
 * one after another, and started again on the same file each time. A killed device may lose its last local writes,
 * as it would without Tether; what it must not do is lose or duplicate what the hub took: afterwards the device and
 * the hub hold the same tasks, each applied on the hub once. Before the store raised its sequence counter to the
 * clock at start, a write after the restart took a change id the hub had seen, was answered {@code duplicate} and
 * never reached the hub. Seeded: rerun with {@code -Dtether.seed=<seed>}.
 */
class DeviceCrashTest {
    private static final int KILLS = 4;

    @Test
    void aDeviceKilledWhileItSyncsEndsHoldingWhatTheHubHoldsEachWriteAppliedOnce(@TempDir Path directory) {
        Seeded.run(random -> killWhileSyncing(directory, random));
    }

    private void killWhileSyncing(Path directory, Random random) throws Exception {
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
