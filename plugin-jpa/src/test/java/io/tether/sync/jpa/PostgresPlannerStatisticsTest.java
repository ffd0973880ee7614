package io.tether.sync.jpa;

import io.tether.sync.spi.Role;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store on PostgreSQL warns, when it opens, that autovacuum is off on the server or for its tables: nothing would
 * refresh the planner's statistics as the tables grow, and statements prepared while they were small keep reading
 * them whole. Skipped when PostgreSQL is not reachable.
 */
class PostgresPlannerStatisticsTest {
    private static final Logger LOG = Logger.getLogger("io.tether.sync.jpa.internal.PlannerStatistics");
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresPlannerStatisticsTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Test
    void aStoreWarnsWhenNothingAnalyzesItsTables() throws Exception {
        boolean serverOff;
        try (Connection c = Databases.postgresConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("show autovacuum")) {
            rs.next();
            serverOff = "off".equals(rs.getString(1));
        }
        EntityManagerFactory emf = Databases.open(url, Action.CREATE);
        try {
            Jpa.tx(emf, em -> {
                em.createNativeQuery("alter table task set (autovacuum_enabled = false)").executeUpdate();
                em.createNativeQuery("alter table tether_change_log set (autovacuum_enabled = off)").executeUpdate();
            });
            List<String> warnings = warningsOpening(emf, Role.HUB);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("for tables task, tether_change_log"), warnings.get(0));
            assertEquals(serverOff, warnings.get(0).contains("on this PostgreSQL server"), warnings.get(0));

            Jpa.tx(emf, em -> {
                em.createNativeQuery("alter table task reset (autovacuum_enabled)").executeUpdate();
                em.createNativeQuery("alter table tether_change_log reset (autovacuum_enabled)").executeUpdate();
            });
        } finally {
            emf.close();
        }
        EntityManagerFactory again = Databases.open(url, Action.NONE);
        try {
            List<String> after = warningsOpening(again, Role.REPLICA);
            assertEquals(serverOff ? 1 : 0, after.size(), after.toString());
            after.forEach(w -> assertTrue(!w.contains("for table"), w));
        } finally {
            again.close();
        }
    }

    private static List<String> warningsOpening(EntityManagerFactory emf, Role role) {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        LOG.addHandler(handler);
        try {
            if (role == Role.HUB) {
                try (JpaHubStore store = new JpaHubStore(emf)) {
                    store.open(new TestContext(Role.HUB));
                }
            } else {
                JpaReplicaStore store = new JpaReplicaStore(emf);
                store.close();
            }
        } finally {
            LOG.removeHandler(handler);
        }
        return warnings;
    }
}
