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
        withTwoNodes((a, b) -> {
            for (int i = 0; i < 5; i++) {
                String id = "t" + i;
                Jpa.tx(a.factory(), em -> em.persist(new Task(id, "written through node A", "alice")));
                long version = a.store().headVersion();
                awaitTrue(() -> b.handed().contains(version), "node B's subscriber receives version " + version);
            }
            Jpa.tx(b.factory(), em -> em.persist(new Task("t5", "written through node B", "alice")));
            long last = b.store().headVersion();
            awaitTrue(() -> a.handed().contains(last), "node A's subscriber receives version " + last);
            assertEquals(versions(a.store(), 0, last), a.handed(), "node A: every version once, in order");
            assertEquals(versions(a.store(), 0, last), b.handed(), "node B: every version once, in order");
        });
    }

    /**
     * The server ends the listening connections (a restart, a proxy's idle timeout): each store takes another and
     * reads what was committed meanwhile, so a commit made while no node listened still arrives, without polling.
     */
    @Test
    void aListenerWhoseConnectionTheServerEndedListensAgainAndMissesNothing() throws Exception {
        withTwoNodes((a, b) -> {
            Jpa.tx(a.factory(), em -> em.persist(new Task("r1", "before the connections ended", "alice")));
            long first = a.store().headVersion();
            awaitTrue(() -> b.handed().contains(first), "node B's subscriber receives version " + first);
            try (Connection c = Databases.postgresConnection(); Statement s = c.createStatement();
                 ResultSet ended = s.executeQuery("select pg_terminate_backend(pid) from pg_stat_activity "
                         + "where query ilike 'listen tether_change_log' and pid <> pg_backend_pid()")) {
                int n = 0;
                while (ended.next()) {
                    n++;
                }
                assertTrue(n >= 2, "both nodes' listening connections ended, " + n);
            }
            Jpa.tx(a.factory(), em -> em.persist(new Task("r2", "while no node listened", "alice")));
            long second = a.store().headVersion();
            awaitTrue(() -> b.handed().contains(second), "node B's subscriber receives version " + second);
            assertEquals(versions(a.store(), first - 1, second), b.handed());
        });
    }

    /** A hub node of the test: its factory, its store, and the versions its live subscriber was handed. */
    private record Node(EntityManagerFactory factory, JpaHubStore store, List<Long> handed) {
    }

    private interface TwoNodes {
        void run(Node a, Node b) throws Exception;
    }

    /** Runs {@code test} on two hub nodes over the schema, neither polling, each with a live subscriber. */
    private static void withTwoNodes(TwoNodes test) throws Exception {
        EntityManagerFactory a = Databases.open(url, Action.UPDATE);
        EntityManagerFactory b = Databases.open(url, Action.UPDATE);
        try (JpaHubStore storeA = new JpaHubStore(a);
             JpaHubStore storeB = new JpaHubStore(b);
             HubEngine nodeA = node(storeA);
             HubEngine nodeB = node(storeB)) {
            List<Long> onA = new CopyOnWriteArrayList<>();
            List<Long> onB = new CopyOnWriteArrayList<>();
            try (Subscription subA = nodeA.service().subscribe(entries -> entries.forEach(e -> onA.add(e.version())));
                 Subscription subB = nodeB.service().subscribe(entries -> entries.forEach(e -> onB.add(e.version())))) {
                test.run(new Node(a, storeA, onA), new Node(b, storeB, onB));
            }
        } finally {
            a.close();
            b.close();
        }
    }

    private static HubEngine node(JpaHubStore store) {
        return Tether.hub().store(store).property("tether.node-poll-interval", "0s").build().start();
    }

    /** The versions of the change log with {@code after < version <= upTo}. */
    private static List<Long> versions(JpaHubStore store, long after, long upTo) {
        return store.changesSince(after, upTo, 1000, new PullFilter(Map.of("tasks", ScopeSet.ALL))).stream()
                .map(LogEntry::version).toList();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }
}
