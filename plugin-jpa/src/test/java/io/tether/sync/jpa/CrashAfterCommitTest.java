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

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A committed change is durable in the outbox or change log even when the JVM dies right after commit, before any
 * after-commit processing: a child JVM commits and halts in its first after-commit callback; the database file is
 * then reopened here.
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
}
