package io.tether.sync.websocket;

import io.tether.sync.ConfigurationException;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.rest.JwtAuthenticator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code websocket} plugin as applications enable it: by name and properties, on a hub and on replicas. */
class WebSocketPluginIT {

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HubEngine hub(int port, String plugins) {
        return Tether.hub().store(MemoryStore.hub()).schemaVersion(1).collection(WsFixture.TASKS)
                .collection(WsFixture.NOTES).authenticator(JwtAuthenticator.hs256(WsFixture.SECRET).build())
                .property("tether.plugins", plugins).property("tether.rest.port", String.valueOf(port))
                .property("tether.rest.host", "127.0.0.1").property("tether.websocket.ping-interval", "1s")
                .build().start();
    }

    static ReplicaEngine replica(MemoryReplicaStore store, Map<String, String> ws) {
        ReplicaEngine.Builder b = Tether.replica().store(store).schema(WsFixture.SCHEMA).plugin("websocket")
                .pollInterval(Duration.ZERO).debounce(Duration.ofMillis(1));
        ws.forEach((k, v) -> b.property("tether.websocket." + k, v));
        return b.build().start();
    }

    private static List<String> wsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("tether-ws")).toList();
    }

    @ParameterizedTest(name = "tether.plugins={0}")
    @ValueSource(strings = {"rest,websocket", "websocket,rest"})
    void hubServesTheSocketOnTheRestPortInEitherOrderAndReplicasUseIt(String plugins) throws Exception {
        int port = freePort();
        MemoryReplicaStore as = MemoryStore.replica();
        MemoryReplicaStore bs = MemoryStore.replica();
        try (HubEngine hub = hub(port, plugins)) {
            Map<String, String> props = new HashMap<>();
            props.put("url", "http://127.0.0.1:" + port);
            props.put("token", WsFixture.token("ann"));
            props.put("reconnect-initial", "50ms");
            try (ReplicaEngine a = replica(as, props)) {
                props.put("url", "ws://127.0.0.1:" + port + "/sync/v1/ws");
                try (ReplicaEngine b = replica(bs, props)) {
                    a.syncNow();
                    b.syncNow();
                    WsFixture.await("b's live socket", Duration.ofSeconds(5), () -> b.status().live());
                    Map<String, Object> task = new HashMap<>();
                    task.put("id", "t1");
                    task.put("title", "hello");
                    task.put("done", false);
                    task.put("owner_id", "ann");
                    as.put("tasks", "t1", task);
                    WsFixture.await("b to receive t1 live", Duration.ofSeconds(10), () -> bs.get("tasks", "t1").isPresent());
                    assertEquals("hello", bs.get("tasks", "t1").orElseThrow().data().get("title"));
                }
            }
        }
        WsFixture.await("every websocket thread to end", Duration.ofSeconds(10), () -> wsThreads().isEmpty());
    }

    @Test
    void badConfigurationNamesTheProperty() {
        MemoryReplicaStore store = MemoryStore.replica();
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> replica(store, Map.of()));
        assertTrue(missing.getMessage().contains("tether.websocket.url"), missing.getMessage());
        ConfigurationException scheme = assertThrows(ConfigurationException.class,
                () -> replica(store, Map.of("url", "ftp://x")));
        assertTrue(scheme.getMessage().contains("tether.websocket.url"), scheme.getMessage());
        ConfigurationException unknown = assertThrows(ConfigurationException.class,
                () -> replica(store, Map.of("url", "http://127.0.0.1:1", "windw", "3")));
        assertTrue(unknown.getMessage().contains("tether.websocket.windw"), unknown.getMessage());
        ConfigurationException duration = assertThrows(ConfigurationException.class,
                () -> replica(store, Map.of("url", "http://127.0.0.1:1", "ping-interval", "soon")));
        assertTrue(duration.getMessage().contains("tether.websocket.ping-interval"), duration.getMessage());
        ConfigurationException size = assertThrows(ConfigurationException.class,
                () -> replica(store, Map.of("url", "http://127.0.0.1:1", "max-message-mib", "0")));
        assertTrue(size.getMessage().contains("tether.websocket.max-message-mib"), size.getMessage());
    }

    @Test
    void derivedEndpoints() {
        io.tether.sync.spi.PluginConfig config = new io.tether.sync.spi.PluginConfig("websocket", Map.of());
        java.net.URI[] plain = WebSocketPlugin.endpoints(config, java.net.URI.create("http://h:8080"));
        assertEquals("http://h:8080", plain[0].toString());
        assertEquals("ws://h:8080/sync/v1/ws", plain[1].toString());
        java.net.URI[] secure = WebSocketPlugin.endpoints(config, java.net.URI.create("wss://h/base/sync/v1/ws"));
        assertEquals("https://h/base", secure[0].toString());
        assertEquals("wss://h/base/sync/v1/ws", secure[1].toString());
    }
}
