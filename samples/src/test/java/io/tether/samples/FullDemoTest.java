package io.tether.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the demo's scenario and checks the converged table it prints against the three stores. */
class FullDemoTest {

    @Test
    void theDemoConvergesAndItsTableIsWhatTheStoresHold(@TempDir Path directory) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FullDemo.Result result = new FullDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8), directory).run();
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(result.converged(), printed);
        assertTrue(printed.contains("All three agree."), printed);
        Map<String, Map<String, Object>> tasks = result.hub().get("tasks");
        assertEquals(List.of("t1", "t2", "t4", "t5", "t6"), new ArrayList<>(tasks.keySet()), "t3 was deleted");
        Map<String, Object> t1 = tasks.get("t1");
        assertEquals("Buy oat milk", t1.get("title"), "A's offline title survived the merge");
        assertEquals(true, t1.get("done"), "B's offline edit of another field survived the merge");
        assertEquals(1L, t1.get("priority"));
        assertEquals("2026-12-01T09:00:00Z", t1.get("due"));
        assertEquals("p1", t1.get("project_id"));
        assertEquals("alice", t1.get("owner_id"), "the hub set the scope field");
        assertEquals(3L, tasks.get("t2").get("priority"), "B caught up after its restart");
        assertEquals("Fix the bike", tasks.get("t6").get("title"));
        assertEquals(Map.of("id", "p1", "name", "Home", "owner_id", "alice"), result.hub().get("projects").get("p1"));
        assertEquals(Transports.live(), result.realtimeShown(), printed);
        assertTrue(printed.contains("same client id yes"), printed);

        List<String> rows = tableRows(printed);
        int records = result.hub().values().stream().mapToInt(Map::size).sum();
        assertEquals(records, rows.size(), "one table row per record:\n" + printed);
        for (String row : rows) {
            String collection = row.substring(0, 9).trim();
            String id = row.substring(10, 14).trim();
            Map<String, Object> hub = result.hub().get(collection).get(id);
            assertTrue(hub != null, "row for a record the hub holds: " + row);
            String title = row.substring(15, 33).trim();
            assertEquals(hub.getOrDefault("title", hub.get("name")), title, row);
            if (collection.equals("tasks")) {
                assertEquals(Boolean.TRUE.equals(hub.get("done")) ? "yes" : "no", row.substring(34, 39).trim(), row);
                assertEquals(hub.get("priority") == null ? "" : hub.get("priority").toString(),
                        row.substring(40, 48).trim(), row);
                assertEquals(hub.get("project_id") == null ? "" : hub.get("project_id"), row.substring(60, 67).trim(),
                        row);
            }
            assertTrue(row.substring(row.indexOf('|')).matches("\\|\\s+has\\s+same\\s+same\\s*"), row);
            assertEquals(hub, result.deviceA().get(collection).get(id), "A's store holds the printed row: " + row);
            assertEquals(hub, result.deviceB().get(collection).get(id), "B's store holds the printed row: " + row);
        }
        assertFalse(printed.contains("DIFFERS") || printed.contains("MISSING"), printed);
    }

    @Test
    void theDemoLeavesNoThreadRunning(@TempDir Path directory) throws InterruptedException {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        new FullDemo(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), directory).run();
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<String> left = startedBy(before);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            System.gc(); // Java 17's HttpClient selector thread ends when its closed client is collected
            Thread.sleep(100);
            left = startedBy(before);
        }
        assertEquals(List.of(), left, "threads the demo started are still running");
    }

    /** Live threads that were not running before, other than the JVM's own and JUnit's. */
    static List<String> startedBy(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).filter(t -> !before.contains(t))
                .map(Thread::getName)
                .filter(n -> n.startsWith("tether") || n.startsWith("qtp") || n.startsWith("HttpClient")
                        || n.contains("H2") || n.startsWith("MVStore") || n.startsWith("Scheduler"))
                .sorted().toList();
    }

    /** The rows of the printed table: the lines after its header's rule, up to the note below it. */
    static List<String> tableRows(String printed) {
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : printed.split("\n")) {
            String l = line.startsWith("   ") ? line.substring(3) : line;
            if (l.equals(FullDemo.TABLE_HEADER)) {
                inTable = true;
            } else if (inTable && l.startsWith("(")) {
                break;
            } else if (inTable && !l.startsWith("---")) {
                rows.add(l);
            }
        }
        return rows;
    }
}
