package io.tether.sync.jpa;

import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.ScopeSet;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A committed change is durable in the outbox or change log even when the JVM dies right after commit, before any
 * after-commit processing: a child JVM commits and halts in its first after-commit callback; the database file is
 * then reopened here. A hub stays durable on an H2 URL that leaves H2's write delay as it is, and a replica whose
 * database lost its last commits in a crash never reuses a change id the hub may have seen.
 */
class CrashAfterCommitTest {
    @TempDir
    Path dir;

    private int commitThenDie(Role role, String url) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CommitThenDie.class.getName(), role.name(), url)
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        return child.exitValue();
    }

    @Test
    void replicaChangeIsInTheOutboxAfterTheJvmDiedRightAfterCommit() throws Exception {
        String url = Databases.h2File(dir.resolve("replica"));
        assertEquals(CommitThenDie.DIED_AFTER_COMMIT, commitThenDie(Role.REPLICA, url));
        EntityManagerFactory emf = Databases.open(url, Action.NONE);
        try (JpaReplicaStore store = new JpaReplicaStore(emf)) {
            store.open(new TestContext(Role.REPLICA));
            List<OutboxEntry> outbox = store.outbox(EnumSet.allOf(OutboxState.class), 10);
            assertEquals(1, outbox.size());
            assertEquals("Survives the crash", outbox.get(0).data().get("title"));
        } finally {
            emf.close();
        }
    }

    @Test
    void hubChangeIsInTheLogAfterTheJvmDiedRightAfterCommit() throws Exception {
        String url = Databases.h2File(dir.resolve("hub"));
        assertEquals(CommitThenDie.DIED_AFTER_COMMIT, commitThenDie(Role.HUB, url));
        EntityManagerFactory emf = Databases.open(url, Action.NONE);
        try (JpaHubStore store = new JpaHubStore(emf)) {
            store.open(new TestContext(Role.HUB));
            assertEquals(1, store.headVersion());
            List<LogEntry> log = store.changesSince(0, 1, 10, new PullFilter(Map.of("tasks", ScopeSet.ALL)));
            assertEquals(1, log.size());
            assertEquals("Survives the crash", log.get(0).data().get("title"));
        } finally {
            emf.close();
        }
    }

    /** An H2 file URL with H2's own write delay (commits reach the file up to 500 ms late), as users write them. */
    private String plainH2File(String name) {
        return "jdbc:h2:file:" + dir.resolve(name).toAbsolutePath() + ";LOCK_TIMEOUT=20000";
    }

    @Test
    void hubChangeSurvivesTheCrashOnAnH2UrlThatLeavesTheWriteDelay() throws Exception {
        String url = plainH2File("hub");
        assertEquals(CommitThenDie.DIED_AFTER_COMMIT, commitThenDie(Role.HUB, url));
        EntityManagerFactory emf = Databases.open(url, Action.NONE);
        try (JpaHubStore store = new JpaHubStore(emf)) {
            store.open(new TestContext(Role.HUB));
            List<LogEntry> log = store.changesSince(0, 1, 10, new PullFilter(Map.of("tasks", ScopeSet.ALL)));
            assertEquals(List.of("Survives the crash"), log.stream().map(e -> e.data().get("title")).toList());
            assertEquals(List.of("0", "0"), Jpa.call(emf, em -> em.createNativeQuery("select setting_value from "
                    + "information_schema.settings where setting_name = 'WRITE_DELAY'").getResultList()));
        } finally {
            emf.close();
        }
    }

    @Test
    void aReplicaWhoseDatabaseLostItsLastCommitsTakesNoChangeIdAgain() throws Exception {
        String url = Databases.h2File(dir.resolve("replica"));
        Path file = dir.resolve("replica.mv.db");
        Path beforeTheWrite = dir.resolve("before-the-write.mv.db");
        withReplica(url, Action.CREATE, (emf, store) -> { });
        Files.copy(file, beforeTheWrite);

        // the write is captured and pushed (the hub keeps its change id), then the database loses it in a crash
        String pushed = withReplica(url, Action.NONE, (emf, store) -> {
            Jpa.tx(emf, em -> em.persist(new Task("t1", "Pushed, then lost here", "alice")));
        });
        Files.copy(beforeTheWrite, file, StandardCopyOption.REPLACE_EXISTING);

        String next = withReplica(url, Action.NONE, (emf, store) -> {
            Jpa.tx(emf, em -> em.persist(new Task("t2", "Written after the restart", "alice")));
        });
        assertNotEquals(pushed, next, "the hub would answer the new change 'duplicate' and never apply it");
    }

    private interface ReplicaWork {
        void run(EntityManagerFactory emf, JpaReplicaStore store);
    }

    /** Runs {@code work} on a replica over {@code url}; returns the change id of the outbox's one entry, if any. */
    private static String withReplica(String url, Action action, ReplicaWork work) {
        EntityManagerFactory emf = Databases.open(url, action);
        try (JpaReplicaStore store = new JpaReplicaStore(emf)) {
            store.open(new TestContext(Role.REPLICA));
            work.run(emf, store);
            List<OutboxEntry> outbox = store.outbox(EnumSet.allOf(OutboxState.class), 10);
            return outbox.isEmpty() ? null : outbox.get(0).changeId();
        } finally {
            emf.close();
        }
    }
}
