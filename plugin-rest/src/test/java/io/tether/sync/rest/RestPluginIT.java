package io.tether.sync.rest;

import io.tether.sync.ConfigurationException;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code rest} plugin as applications enable it: by name and {@code tether.rest.*} properties. */
class RestPluginIT {

    /** A token supplier named by {@code tether.rest.token-supplier}. */
    public static final class AliceTokens implements Supplier<String> {
        @Override
        public String get() {
            return RestFixture.token("alice");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HubEngine hub(MemoryHubStore store, Map<String, String> rest) {
        HubEngine.Builder b = Tether.hub().store(store).collection(RestFixture.TASKS)
                .authenticator(JwtAuthenticator.hs256(RestFixture.SECRET).build()).plugin("rest");
        rest.forEach((k, v) -> b.property("tether.rest." + k, v));
        return b.build().start();
    }

    static ReplicaEngine replica(MemoryReplicaStore store, Map<String, String> rest) {
        ReplicaEngine.Builder b = Tether.replica().store(store).schema(RestFixture.SCHEMA).plugin("rest")
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO);
        rest.forEach((k, v) -> b.property("tether.rest." + k, v));
        return b.build().start();
    }

    static List<String> restThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("tether-rest")).toList();
    }

    @Test
    void hubAndReplicaSyncThroughThePluginAndStopCleanly() throws Exception {
        int port = freePort();
        MemoryHubStore hubStore = MemoryStore.hub();
        HubEngine hub = hub(hubStore, Map.of("port", Integer.toString(port), "host", "127.0.0.1"));
        MemoryReplicaStore device = MemoryStore.replica();
        ReplicaEngine replica = replica(device, Map.of("url", "http://127.0.0.1:" + port,
                "token-supplier", AliceTokens.class.getName(), "connect-timeout", "2s", "request-timeout", "PT5S"));
        device.put("tasks", "t1", Map.of("id", "t1", "title", "via plugin", "done", false, "owner_id", "alice"));
        assertEquals(1, replica.syncNow().pushed());
        assertEquals("via plugin", hubStore.get("tasks", "t1").orElseThrow().data().get("title"));

        replica.close();
        replica.close();
        hub.close();
        hub.close();
        try (ServerSocket again = new ServerSocket(port)) {
            assertEquals(port, again.getLocalPort(), "the hub released its port");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!restThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), restThreads(), "no server or client thread is left");
    }

    @Test
    void pollIntervalPropertySyncsWithoutBeingAsked() throws Exception {
        int port = freePort();
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = hub(hubStore, Map.of("port", Integer.toString(port), "host", "127.0.0.1"));
             ReplicaEngine replica = replica(MemoryStore.replica(), Map.of("url", "http://127.0.0.1:" + port,
                     "token", RestFixture.token("alice"), "poll-interval", "100ms"))) {
            hubStore.put("tasks", "h1", Map.of("id", "h1", "title", "from the hub", "done", false,
                    "owner_id", "alice"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (replica.records().get("tasks", "h1").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(replica.records().get("tasks", "h1").isPresent(), "the plugin's poller pulled the hub's write");
        }
    }

    @Test
    void portZeroStartsAServer() throws Exception {
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = hub(hubStore, Map.of("port", "0", "host", "127.0.0.1"))) {
            assertTrue(restThreads().stream().anyMatch(n -> n.startsWith("tether-rest")), "a server is running");
        }
    }

    @Test
    void badPropertiesFailTheStartNamingTheProperty() {
        assertConfig("tether.rest.port", () -> hub(MemoryStore.hub(), Map.of("port", "eighty")));
        assertConfig("tether.rest.port", () -> hub(MemoryStore.hub(), Map.of("port", "70000")));
        assertConfig("tether.rest.tls.keystore", () -> hub(MemoryStore.hub(),
                Map.of("port", "0", "tls.keystore", "/nonexistent/keystore.p12")));
        assertConfig("tether.rest.colour", () -> hub(MemoryStore.hub(), Map.of("colour", "blue")));
        assertConfig("tether.rest.url", () -> replica(MemoryStore.replica(), Map.of()));
        assertConfig("tether.rest.url", () -> replica(MemoryStore.replica(), Map.of("url", "localhost:8080")));
        assertConfig("tether.rest.connect-timeout", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "connect-timeout", "forever")));
        assertConfig("tether.rest.request-timeout", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "request-timeout", "0s")));
        assertConfig("tether.rest.token-supplier", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "token-supplier", "com.example.Missing")));
        assertConfig("tether.rest.token-supplier", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "token-supplier", String.class.getName())));
        assertConfig("tether.rest.max-attempts", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "max-attempts", "0")));
        assertConfig("tether.rest.gzip", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "gzip", "yes")));
        assertConfig("tether.rest.max-response-mib", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "max-response-mib", "0")));
        assertConfig("tether.rest.max-response-mib", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "max-response-mib", "lots")));
    }

    @Test
    void theOtherRolesPropertiesAreAllowedButStillChecked() throws Exception {
        try (HubEngine hub = hub(MemoryStore.hub(), Map.of("port", "0", "host", "127.0.0.1",
                "url", "http://127.0.0.1:1", "request-timeout", "5s"))) {
            assertTrue(!restThreads().isEmpty(), "a hub starts with replica properties beside its own");
        }
        assertConfig("tether.rest.url", () -> hub(MemoryStore.hub(), Map.of("port", "0", "url", "not a url")));
        assertConfig("tether.rest.port", () -> replica(MemoryStore.replica(),
                Map.of("url", "http://127.0.0.1:1", "port", "eighty")));
    }

    static void assertConfig(String property, Runnable start) {
        ConfigurationException e = assertThrows(ConfigurationException.class, start::run);
        assertTrue(e.getMessage().contains(property), "message names " + property + ": " + e.getMessage());
    }
}
