package io.tether.samples;

import io.tether.sync.SyncRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hub ({@link HubApp}, real Jetty on 127.0.0.1) and two devices driven through the {@code device} command's
 * loop on piped stdin, as a user would type it, each on its own H2 file.
 */
class HubAndDeviceTest {
    static final String SECRET = "a-test-secret-of-at-least-32-bytes!";

    @TempDir
    Path directory;
    HubApp hub;

    @BeforeAll
    static void quiet() {
        Logging.quiet();
    }

    @BeforeEach
    void startHub() {
        hub = HubApp.start(HubApp.Settings.defaults().host("127.0.0.1").port(0).jwtSecret(SECRET));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** Runs {@code device} with these stdin lines on the given H2 file; returns what it printed. */
    String device(String db, String... lines) throws Exception {
        return device(new String[] {"device", "--hub", hub.url().toString(), "--user", "alice", "--jwt-secret", SECRET,
                "--db", directory.resolve(db).toString(), "--poll", "PT1H"}, lines);
    }

    static String device(String[] args, String... lines) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] input = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        int status = Main.run(args, new ByteArrayInputStream(input), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed + err.toString(StandardCharsets.UTF_8));
        return printed;
    }

    static String addedId(String printed, String title) {
        Matcher m = Pattern.compile("added (\\S+) " + Pattern.quote(title)).matcher(printed);
        assertTrue(m.find(), printed);
        return m.group(1);
    }

    @Test
    void aTaskAddedOnDeviceAIsListedOnDeviceBAfterBothSync() throws Exception {
        String a = device("a", "add Buy milk", "sync", "status", "quit");
        String id = addedId(a, "Buy milk");
        assertTrue(a.contains("pending 0, rejected 0, conflicts 0"), a);
        assertEquals("alice", hub.store().get("tasks", id).orElseThrow().data().get("owner_id"));

        String b = device("b", "list", "sync", "list");
        String[] lists = b.split("synced:");
        assertTrue(lists[0].contains("(no tasks)"), "B starts empty: " + b);
        assertTrue(lists[1].contains("  " + id + "  [ ] Buy milk"), "B lists A's task after its sync: " + b);
    }

    @Test
    void editsDoneAndDeleteTravelBothWays() throws Exception {
        String a = device("a", "add Buy milk", "add Walk the dog", "sync");
        String milk = addedId(a, "Buy milk");
        String dog = addedId(a, "Walk the dog");

        String b = device("b", "sync", "done " + milk, "edit " + dog + " Walk the cat", "list", "sync", "list");
        assertTrue(b.contains("done " + milk) && b.contains("renamed " + dog), b);
        assertTrue(b.contains("* " + milk + "  [x] Buy milk"), "unsynced edits are marked before the sync: " + b);
        assertTrue(b.contains("  " + milk + "  [x] Buy milk"), b);

        String again = device("a", "sync", "delete " + milk, "delete nope", "sync", "list");
        assertTrue(again.contains("  " + dog + "  [ ] Walk the cat"), again);
        assertTrue(again.contains("no task nope"), again);
        assertFalse(again.substring(again.lastIndexOf("synced:")).contains("Buy milk"), again);
        List<SyncRecord> onHub = hub.store().list("tasks");
        assertEquals(List.of(dog), onHub.stream().map(SyncRecord::id).toList());
        assertEquals("Walk the cat", onHub.get(0).data().get("title"));
    }

    @Test
    void offlineEditsWaitInTheOutboxUntilOnline() throws Exception {
        String a = device("a", "offline", "add Offline task", "sync", "status", "online", "sync", "status");
        String id = addedId(a, "Offline task");
        assertTrue(a.contains("uploads paused, downloads paused"), a);
        int online = a.indexOf("online:");
        assertTrue(a.substring(0, online).contains("pending 1"), "nothing left while offline: " + a);
        assertTrue(a.substring(online).contains("pending 0"), "sent once online: " + a);
        assertTrue(hub.store().get("tasks", id).isPresent());
    }

    @Test
    void aDeviceClosedWithUnsentChangesSendsThemAtTheNextStart() throws Exception {
        String a = device("a", "offline", "add Later", "quit");
        String id = addedId(a, "Later");
        assertTrue(a.contains("1 local change(s) wait in the outbox"), a);
        assertFalse(hub.store().get("tasks", id).isPresent());
        device("a", "sync");
        assertTrue(hub.store().get("tasks", id).isPresent(), "the outbox survived the restart on the H2 file");
    }

    @Test
    void unknownCommandsAndMissingArgumentsAreAnsweredAndTheLoopGoesOn() throws Exception {
        String a = device("a", "frobnicate", "add", "done", "edit x", "help", "list");
        assertTrue(a.contains("unknown command 'frobnicate'; type help"), a);
        assertTrue(a.contains("usage: add <title>") && a.contains("usage: done <id>")
                && a.contains("usage: edit <id> <title>"), a);
        assertTrue(a.contains("offline / online"), a);
        assertTrue(a.contains("(no tasks)"), a);
    }

    @Test
    void aDeviceWithAFixedTokenSyncs() throws Exception {
        String token = hub.token("bob", java.time.Duration.ofMinutes(5));
        String bob = device(new String[] {"device", "--hub", hub.url().toString(), "--token", token, "--db",
                directory.resolve("bob").toString()}, "add Bob's task", "sync", "list");
        assertTrue(bob.startsWith("Device of bob "), "the user comes from the token's sub: " + bob);
        String id = addedId(bob, "Bob's task");
        assertEquals("bob", hub.store().get("tasks", id).orElseThrow().data().get("owner_id"));
        String alice = device("alice", "sync", "list");
        assertFalse(alice.contains("Bob's task"), "alice never sees bob's tasks: " + alice);
    }

    @Test
    void onATerminalTheLoopPromptsAndAnnouncesChangesFromTheHub() throws Exception {
        String id = addedId(device("a", "add Buy milk", "sync"), "Buy milk");
        try (DeviceApp b = DeviceApp.open(new DeviceApp.Settings(hub.url(), "alice",
                hub.token("alice", java.time.Duration.ofMinutes(5)), directory.resolve("b").toString(),
                java.time.Duration.ZERO, java.time.Duration.ZERO))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            b.run(new java.io.BufferedReader(new java.io.StringReader("sync\nquit\n")),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(printed.startsWith("alice> "), printed);
            assertTrue(printed.contains("(from the hub: tasks/" + id + ")"), printed);
        }
    }
}
