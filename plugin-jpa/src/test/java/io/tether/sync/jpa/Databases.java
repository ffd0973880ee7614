package io.tether.sync.jpa;

import jakarta.persistence.EntityManagerFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.UUID;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test databases: H2 in memory or in a file, and PostgreSQL in a fresh schema per test class. */
final class Databases {
    static final String PG_URL = System.getenv().getOrDefault("TETHER_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final java.util.Set<Class<?>> SKIPPED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final List<Class<?>> ENTITIES = List.of(Project.class, Task.class, Note.class, Plain.class);

    private Databases() {
    }

    static String h2Memory() {
        return "jdbc:h2:mem:t" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000";
    }

    static String h2File(java.nio.file.Path file) {
        return "jdbc:h2:file:" + file.toAbsolutePath() + ";WRITE_DELAY=0;LOCK_TIMEOUT=20000";
    }

    /** A fresh H2 database in memory with only {@code entities} mapped (a test's own domain). */
    static EntityManagerFactory h2MemoryOf(Class<?>... entities) {
        return new HibernatePersistenceConfiguration("tether-test-own")
                .managedClasses(entities)
                .jdbcUrl(h2Memory())
                .schemaToolingAction(Action.CREATE_DROP)
                .createEntityManagerFactory();
    }

    static EntityManagerFactory open(String url, Action action) {
        return open(url, action, Map.of());
    }

    static EntityManagerFactory open(String url, Action action, Map<String, Object> properties) {
        HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration("tether-test")
                .properties(properties)
                .managedClasses(ENTITIES)
                .jdbcUrl(url)
                .jdbcPoolSize(24)
                .schemaToolingAction(action);
        if (url.startsWith("jdbc:postgresql")) {
            config.jdbcCredentials(System.getenv().getOrDefault("TETHER_TEST_PG_USER", "postgres"),
                    System.getenv().getOrDefault("TETHER_TEST_PG_PASSWORD", ""));
        }
        return config.createEntityManagerFactory();
    }

    /** A fresh PostgreSQL schema for one test class; skips the test when PostgreSQL is not reachable. */
    static String postgresSchema(Class<?> testClass) {
        String schema = ("t_" + testClass.getSimpleName() + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT);
        boolean reachable;
        try (Connection c = DriverManager.getConnection(PG_URL, pgUser(), pgPassword());
             Statement s = c.createStatement()) {
            s.execute("create schema " + schema);
            reachable = true;
        } catch (Exception e) {
            reachable = false;
        }
        String skipped = "PostgreSQL not reachable at " + PG_URL
                + "; start it or set TETHER_TEST_PG_URL to run these tests";
        if (!reachable && SKIPPED.add(testClass)) {
            System.err.println(testClass.getSimpleName() + " skipped: " + skipped); // surefire hides class aborts
        }
        assumeTrue(reachable, skipped);
        return PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropPostgresSchema(String url) {
        if (url == null) {
            return;
        }
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = DriverManager.getConnection(PG_URL, pgUser(), pgPassword());
             Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** A plain connection to the test PostgreSQL database (for a test that acts on the server itself). */
    static Connection postgresConnection() throws java.sql.SQLException {
        return DriverManager.getConnection(PG_URL, pgUser(), pgPassword());
    }

    private static String pgUser() {
        return System.getenv().getOrDefault("TETHER_TEST_PG_USER", "postgres");
    }

    private static String pgPassword() {
        return System.getenv().getOrDefault("TETHER_TEST_PG_PASSWORD", "");
    }
}
