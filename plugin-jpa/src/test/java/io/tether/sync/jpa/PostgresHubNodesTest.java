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

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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

    /**
     * The server ends the listening connections (a restart, a proxy's idle timeout): each store takes another and
     * reads what was committed meanwhile, so a commit made while no node listened still arrives, without polling.
     */
    @Test
    void aListenerWhoseConnectionTheServerEndedListensAgainAndMissesNothing() throws Exception {
        EntityManagerFactory a = Databases.open(url, Action.UPDATE);
        EntityManagerFactory b = Databases.open(url, Action.UPDATE);
        try (JpaHubStore storeA = new JpaHubStore(a);
             JpaHubStore storeB = new JpaHubStore(b);
             HubEngine nodeA = node(storeA);
             HubEngine nodeB = node(storeB)) {
            List<Long> onB = new CopyOnWriteArrayList<>();
            try (Subscription subB = nodeB.service().subscribe(entries -> entries.forEach(e -> onB.add(e.version())))) {
                Jpa.tx(a, em -> em.persist(new Task("r1", "before the connections ended", "alice")));
                long first = storeA.headVersion();
                awaitTrue(() -> onB.contains(first), "node B's subscriber receives version " + first);
                try (Connection c = Databases.postgresConnection(); Statement s = c.createStatement();
                     ResultSet ended = s.executeQuery("select pg_terminate_backend(pid) from pg_stat_activity "
                             + "where query ilike 'listen " + "tether_change_log' and pid <> pg_backend_pid()")) {
                    int n = 0;
                    while (ended.next()) {
                        n++;
                    }
                    assertTrue(n >= 2, "both nodes' listening connections ended, " + n);
                }
                Jpa.tx(a, em -> em.persist(new Task("r2", "while no node listened", "alice")));
                long second = storeA.headVersion();
                awaitTrue(() -> onB.contains(second), "node B's subscriber receives version " + second);
                assertEquals(versionsUpTo(storeA, second).subList(versionsUpTo(storeA, second).indexOf(first),
                        versionsUpTo(storeA, second).size()), onB);
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
