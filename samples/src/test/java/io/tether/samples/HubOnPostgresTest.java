package io.tether.samples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The sample hub on PostgreSQL (a fresh schema, dropped afterwards); skipped when PostgreSQL is not reachable. */
class HubOnPostgresTest {
    static final String PG_URL = System.getenv().getOrDefault("TETHER_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = System.getenv().getOrDefault("TETHER_TEST_PG_USER", "postgres");
    static final String PG_PASSWORD = System.getenv().getOrDefault("TETHER_TEST_PG_PASSWORD", "");

    String schema;

    @BeforeEach
    void createSchema() {
        schema = createSchemaOrSkip();
    }

    @AfterEach
    void dropSchema() throws Exception {
        dropSchema(schema);
    }

    /** Creates a fresh schema, or skips the test, saying how to run it, when PostgreSQL is not reachable. */
    static String createSchemaOrSkip() {
        String name = ("samples_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        boolean reachable;
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
            s.execute("create schema " + name);
            reachable = true;
        } catch (Exception e) {
            reachable = false;
        }
        assumeTrue(reachable, "PostgreSQL not reachable at " + PG_URL
                + "; start it or set TETHER_TEST_PG_URL (and _USER, _PASSWORD) to run this test");
        return name;
    }

    static void dropSchema(String schema) throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
                 Statement s = c.createStatement()) {
                s.execute("drop schema if exists " + schema + " cascade");
            }
        }
    }

    /** Settings for a hub in {@code schema}. */
    static HubApp.Settings hubIn(String schema, String secret) {
        String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new HubApp.Settings("127.0.0.1", 0, url, PG_USER, PG_PASSWORD, secret, Duration.ofDays(1));
    }

    @Test
    void aDeviceSyncsThroughAHubOnPostgres() {
        Logging.quiet();
        HubApp.Settings settings = hubIn(schema, HubAndDeviceTest.SECRET);
        try (HubApp hub = HubApp.start(settings);
             DeviceApp device = DeviceApp.open(new DeviceApp.Settings(hub.url(), "alice",
                     hub.token("alice", Duration.ofMinutes(5)), "mem", Duration.ZERO, Duration.ZERO))) {
            device.addProject("p1", "Garden");
            device.add("t1", "Plant tulips", "p1");
            device.engine().syncNow();
            assertEquals("p1", hub.store().get("tasks", "t1").orElseThrow().data().get("project_id"));
            assertEquals("alice", hub.store().get("projects", "p1").orElseThrow().data().get("owner_id"));
            assertEquals(0, device.engine().status().pendingChanges());
        }
    }
}
