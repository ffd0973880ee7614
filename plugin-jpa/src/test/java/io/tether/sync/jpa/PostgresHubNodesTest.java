package io.tether.sync.jpa;

import io.tether.sync.HubEngine;
import io.tether.sync.Subscription;
import io.tether.sync.Tether;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.ScopeSet;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hub nodes over one PostgreSQL schema, neither polling the other ({@code tether.node-poll-interval} 0s): a
 * commit through node A reaches node B's live subscribers at once, because node A's transaction notifies node B
 * (LISTEN/NOTIFY), and node A's own subscribers are not woken by their own node's notifications. Skipped when
 * PostgreSQL is not reachable.
 */
class PostgresHubNodesTest {
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresHubNodesTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Test
    void aCommitOnOneNodeReachesTheOtherNodesSubscribersWithoutPolling() throws Exception {
        EntityManagerFactory a = Databases.open(url, Action.UPDATE);
        EntityManagerFactory b = Databases.open(url, Action.UPDATE);
        try (JpaHubStore storeA = new JpaHubStore(a);
             JpaHubStore storeB = new JpaHubStore(b);
             HubEngine nodeA = node(storeA);
             HubEngine nodeB = node(storeB)) {
            List<Long> onB = new CopyOnWriteArrayList<>();
            List<Long> onA = new CopyOnWriteArrayList<>();
            try (Subscription subB = nodeB.service().subscribe(entries -> entries.forEach(e -> onB.add(e.version())));
                 Subscription subA = nodeA.service().subscribe(entries -> entries.forEach(e -> onA.add(e.version())))) {
                for (int i = 0; i < 5; i++) {
                    String id = "t" + i;
                    Jpa.tx(a, em -> em.persist(new Task(id, "written through node A", "alice")));
                    long version = storeA.headVersion();
                    awaitTrue(() -> onB.contains(version), "node B's subscriber receives version " + version);
                }
                Jpa.tx(b, em -> em.persist(new Task("t5", "written through node B", "alice")));
                long last = storeB.headVersion();
                awaitTrue(() -> onA.contains(last), "node A's subscriber receives version " + last);
                assertEquals(versionsUpTo(storeA, last), onA, "node A: every version once, in order");
                assertEquals(versionsUpTo(storeA, last), onB, "node B: every version once, in order");
            }
        } finally {
            a.close();
            b.close();
        }
    }

    private static HubEngine node(JpaHubStore store) {
        return Tether.hub().store(store).property("tether.node-poll-interval", "0s").build().start();
    }

    private static List<Long> versionsUpTo(JpaHubStore store, long last) {
        return store.changesSince(0, last, 1000, new PullFilter(Map.of("tasks", ScopeSet.ALL))).stream()
                .map(LogEntry::version).toList();
    }

    private static void awaitTrue(BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }
}
