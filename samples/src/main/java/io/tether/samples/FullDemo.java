package io.tether.samples;

import io.tether.sync.ChangeEvent;
import io.tether.sync.Origin;
import io.tether.sync.RecordQuery;
import io.tether.sync.SyncRecord;
import io.tether.sync.SyncReport;
import io.tether.sync.Subscription;
import io.tether.sync.rest.JwtIssuer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The full demo, in one JVM, everything real: a hub (embedded Jetty on an ephemeral port of 127.0.0.1, Hibernate,
 * H2 in memory) and two devices of alice (Hibernate, an H2 file each, HTTP to the hub with JWT tokens). Both
 * devices edit offline; a task edited on both is merged field by field; a delete propagates; a change arrives in
 * real time over WebSocket (when plugin-websocket is on the class path); a device restarts on its H2 file and
 * catches up; and the state of all three is printed as a table and compared.
 */
public final class FullDemo {
    static final List<String> COLLECTIONS = List.of("projects", "tasks");
    static final Instant DUE = Instant.parse("2026-12-01T09:00:00Z");

    private final PrintStream out;
    private final Path directory;
    private int step;

    /**
     * @param out       where the story is printed
     * @param directory where the devices' H2 files go (it must exist)
     */
    public FullDemo(PrintStream out, Path directory) {
        this.out = Objects.requireNonNull(out, "out");
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * What the demo ended with: every record of each node (collection, then id, then fields), and whether the
     * realtime step ran.
     */
    public record Result(Map<String, Map<String, Map<String, Object>>> hub,
                         Map<String, Map<String, Map<String, Object>>> deviceA,
                         Map<String, Map<String, Map<String, Object>>> deviceB,
                         boolean realtimeShown) {
        /** True when both devices hold exactly the hub's records. */
        public boolean converged() {
            return hub.equals(deviceA) && hub.equals(deviceB);
        }
    }

    /** Runs the demo in a temporary directory that is deleted afterwards; returns the exit status. */
    static int main(PrintStream out) throws IOException {
        Logging.quiet();
        Path directory = Files.createTempDirectory("tether-demo");
        try {
            return new FullDemo(out, directory).run().converged() ? 0 : 1;
        } finally {
            deleteTree(directory);
        }
    }

    /** Runs the story; every server, engine and database it opened is closed when it returns. */
    public Result run() {
        Logging.quiet();
        String secret = JwtIssuer.randomSecret();
        out.println("Tether demo: a hub and two devices of alice, each on Hibernate + H2, syncing over "
                + (Transports.live() ? "HTTP and WebSocket." : "HTTP."));
        step("Start the hub and two devices");
        try (HubApp hub = HubApp.start(HubApp.Settings.defaults().host("127.0.0.1").port(0).jwtSecret(secret))) {
            say("hub      " + hub.url() + "  (embedded Jetty, Hibernate on " + hub.database().description()
                    + ", JWT auth, field-merge)");
            DeviceApp.Settings settingsA = deviceSettings(hub, "device-a");
            DeviceApp.Settings settingsB = deviceSettings(hub, "device-b");
            try {
                DeviceApp a = open(settingsA);
                DeviceApp b = open(settingsB);
                say("device A " + a.database().description() + ", " + transportName() + " to the hub as alice");
                say("device B " + b.database().description() + ", " + transportName() + " to the hub as alice");
                return story(hub, a, b, settingsB);
            } finally {
                for (int i = opened.size() - 1; i >= 0; i--) {
                    opened.get(i).close();
                }
                opened.clear();
            }
        }
    }

    /** Every device opened, closed by {@link #run} (closing is idempotent; B is closed and reopened half-way). */
    private final List<DeviceApp> opened = new ArrayList<>();

    private DeviceApp open(DeviceApp.Settings settings) {
        DeviceApp device = DeviceApp.open(settings);
        opened.add(device);
        return device;
    }

    private Result story(HubApp hub, DeviceApp a, DeviceApp b, DeviceApp.Settings settingsB) {
        step("A creates a project and three tasks, and syncs; B syncs and receives them");
        a.addProject("p1", "Home");
        a.add("t1", "Buy milk", "p1");
        a.update("t1", t -> t.setDue(DUE));
        a.add("t2", "Call the plumber", "p1");
        a.add("t3", "Book flights", null);
        report("A", a.engine().syncNow());
        say("(a first sync pulls the hub's copy of every record, A's own included: now with owner_id \"alice\")");
        report("B", b.engine().syncNow());
        tasks("B", b.engine().records());

        step("Both devices go offline and edit");
        a.offline();
        b.offline();
        a.update("t1", t -> t.setTitle("Buy oat milk"));
        a.update("t2", t -> t.setDone(true));
        a.add("t4", "Water the plants", "p1");
        say("A (offline): renames t1 to \"Buy oat milk\", marks t2 done, adds t4 \"Water the plants\"");
        b.update("t1", t -> {
            t.setDone(true);
            t.setPriority(1);
        });
        b.delete("t3");
        b.add("t5", "Pay rent", null);
        say("B (offline): marks t1 done with priority 1, deletes t3 \"Book flights\", adds t5 \"Pay rent\"");
        say("waiting in the outboxes: A " + a.engine().status().pendingChanges() + " changes, B "
                + b.engine().status().pendingChanges() + " changes; the hub still has "
                + hub.store().count("tasks") + " tasks");

        step("B comes online and syncs");
        b.online();
        report("B", b.engine().syncNow());
        say("the hub now has t1 done with priority 1, t3 deleted, t5 added");

        step("A comes online and syncs: t1 was edited on both devices -> field-merge");
        a.online();
        report("A", a.engine().syncNow());
        Map<String, Object> t1 = hub.store().get("tasks", "t1").orElseThrow().data();
        say("A changed t1's title, B changed its done and priority: different fields, so the hub merged them:");
        say("  t1 on the hub: title \"" + t1.get("title") + "\", done " + t1.get("done") + ", priority "
                + t1.get("priority"));

        step("The delete: B deleted t3 while A was offline");
        say("t3 on the hub: " + presence(hub.store(), "t3") + "; on A after its sync: " + presence(a.engine().records(),
                "t3") + "; on B: " + presence(b.engine().records(), "t3"));
        report("B", b.engine().syncNow());
        RecordQuery onB = b.engine().records();
        say("B has A's offline edits: t1 titled \"" + onB.get("tasks", "t1").map(r -> r.data().get("title"))
                .orElse("(missing)") + "\", t2 done " + onB.get("tasks", "t2").map(r -> r.data().get("done"))
                .orElse("(missing)") + ", t4 " + presence(onB, "t4"));

        boolean realtime = realtimeStep(a, b);

        step("Device B restarts: its engine and Hibernate close, A keeps editing, B reopens and catches up");
        String clientId = b.engine().clientId();
        b.close();
        say("B is closed; its H2 file keeps the records, the outbox, the cursor and the client id");
        a.update("t2", t -> t.setPriority(3));
        a.add("t6", "Fix the bike", null);
        say("A sets t2's priority to 3 and adds t6 \"Fix the bike\"");
        report("A", a.engine().syncNow());
        DeviceApp reopened = open(settingsB);
        say("B reopened on " + reopened.database().description() + ": same client id "
                + (clientId.equals(reopened.engine().clientId()) ? "yes" : "NO") + ", "
                + reopened.engine().records().count("tasks") + " tasks, "
                + (reopened.engine().status().cursor() != null ? "cursor kept" : "NO cursor"));
        report("B", reopened.engine().syncNow());

        step("Converged state of the hub and both devices");
        for (int round = 0; round < 2; round++) {
            a.engine().syncNow();
            reopened.engine().syncNow();
        }
        Result result = new Result(state(hub.store()), state(a.engine().records()),
                state(reopened.engine().records()), realtime);
        table(result);
        out.println();
        out.println(result.converged() ? "All three agree." : "The nodes DISAGREE.");
        return result;
    }

    private boolean realtimeStep(DeviceApp a, DeviceApp b) {
        if (!Transports.live()) {
            step("Realtime over WebSocket: left out (plugin-websocket is not on this build's class path)");
            return false;
        }
        step("Realtime: A marks t5 done; B receives it over its WebSocket without asking");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!b.engine().status().live() && System.nanoTime() < deadline) {
            sleep(20);
        }
        CountDownLatch arrived = new CountDownLatch(1);
        try (Subscription s = b.engine().onChange(batch -> {
            if (batch.origin() == Origin.REMOTE) {
                for (ChangeEvent e : batch.changes()) {
                    if (e.id().equals("t5") && Boolean.TRUE.equals(e.after() == null ? null : e.after().get("done"))) {
                        arrived.countDown();
                    }
                }
            }
        })) {
            long start = System.nanoTime();
            a.update("t5", t -> t.setDone(true));
            a.engine().syncNow();
            boolean live = arrived.await(10, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            say(live ? "B had t5 done " + millis + " ms after A's write, pushed by the hub (B never called sync)"
                    : "B did NOT receive t5 within 10 s");
            return live;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private DeviceApp.Settings deviceSettings(HubApp hub, String name) {
        return new DeviceApp.Settings(hub.url(), "alice", hub.token("alice", Duration.ofHours(1)),
                directory.resolve(name).toString(), Duration.ZERO, Duration.ZERO);
    }

    private static String transportName() {
        return Transports.live() ? "WebSocket + HTTP" : "HTTP";
    }

    private static String presence(RecordQuery q, String id) {
        return q.get("tasks", id).isPresent() ? "present" : "gone";
    }

    private void step(String text) {
        out.println();
        out.println(++step + ". " + text);
    }

    private void say(String text) {
        out.println("   " + text);
    }

    private void report(String who, SyncReport r) {
        say(who + " synced: pushed " + r.pushed() + ", pulled " + r.pulled() + ", conflicts " + r.conflicts()
                + ", rejected " + r.rejected());
    }

    private void tasks(String who, RecordQuery q) {
        say(who + " has:");
        for (SyncRecord r : q.list("tasks")) {
            say("  " + r.id() + "  " + r.data().get("title") + (Boolean.TRUE.equals(r.data().get("done")) ? " (done)"
                    : ""));
        }
    }

    static Map<String, Map<String, Map<String, Object>>> state(RecordQuery q) {
        Map<String, Map<String, Map<String, Object>>> s = new TreeMap<>();
        for (String collection : COLLECTIONS) {
            Map<String, Map<String, Object>> records = new TreeMap<>();
            for (SyncRecord r : q.list(collection)) {
                records.put(r.id(), r.data());
            }
            s.put(collection, records);
        }
        return s;
    }

    /** The table header; a test finds the rows below it. */
    static final String TABLE_HEADER = String.format("%-9s %-4s %-18s %-5s %-8s %-10s %-7s | %-4s %-4s %-4s",
            "table", "id", "title / name", "done", "priority", "due", "project", "hub", "A", "B");

    private void table(Result r) {
        say(TABLE_HEADER);
        say("-".repeat(TABLE_HEADER.length()));
        for (String collection : COLLECTIONS) {
            TreeSet<String> ids = new TreeSet<>(r.hub().get(collection).keySet());
            ids.addAll(r.deviceA().get(collection).keySet());
            ids.addAll(r.deviceB().get(collection).keySet());
            for (String id : ids) {
                Map<String, Object> hub = r.hub().get(collection).get(id);
                Map<String, Object> shown = hub != null ? hub
                        : r.deviceA().get(collection).getOrDefault(id, r.deviceB().get(collection).get(id));
                String title = String.valueOf(shown.getOrDefault("title", shown.get("name")));
                say(String.format("%-9s %-4s %-18s %-5s %-8s %-10s %-7s | %-4s %-4s %-4s", collection, id, title,
                        collection.equals("tasks") ? (Boolean.TRUE.equals(shown.get("done")) ? "yes" : "no") : "",
                        cell(shown.get("priority")), date(shown.get("due")), cell(shown.get("project_id")),
                        hub != null ? "has" : "-", compare(hub, r.deviceA().get(collection).get(id)),
                        compare(hub, r.deviceB().get(collection).get(id))));
            }
        }
        say("(\"same\": the device holds exactly the hub's record, every field including owner_id)");
    }

    private static String cell(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String date(Object value) {
        String s = cell(value);
        return s.length() >= 10 ? s.substring(0, 10) : s;
    }

    private static String compare(Map<String, Object> hub, Map<String, Object> device) {
        if (device == null) {
            return hub == null ? "-" : "MISSING";
        }
        return device.equals(hub) ? "same" : "DIFFERS";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
