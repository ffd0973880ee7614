package io.tether.sync.websocket;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.RecordQuery;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.ScopePolicy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A hub on a memory store served by a {@link TetherServer} on 127.0.0.1 (ephemeral port) with the live endpoint
 * mounted, and replicas on {@link WebSocketTransport}. The hub can be stopped and started again on the same port
 * over the same store.
 */
final class WsFixture implements AutoCloseable {
    static final String SECRET = "ws-fixture-secret-0123456789abcdef0123";
    static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false)
            .field("done", FieldType.BOOLEAN, false)
            .build();
    /** Unscoped: every principal reads every note. */
    static final CollectionSchema NOTES = CollectionSchema.builder("notes")
            .field("text", FieldType.STRING, false)
            .field("n", FieldType.INTEGER, false)
            .build();
    static final Schema SCHEMA = new Schema(1, List.of(TASKS, NOTES));
    static final JwtIssuer TOKENS = new JwtIssuer(SECRET);

    final MemoryHubStore hubStore = MemoryStore.hub();
    private final UnaryOperator<LiveHub.Builder> tuneLive;
    private final HubLimits limits;
    boolean mountLive = true;
    HubEngine hub;
    LiveHub live;
    TetherServer server;
    private int port;
    final List<Device> devices = new ArrayList<>();

    record Device(String user, MemoryReplicaStore store, WebSocketTransport transport, ReplicaEngine engine) {
        void put(String id, String title) {
            Map<String, Object> data = new HashMap<>();
            data.put("id", id);
            data.put("title", title);
            data.put("done", false);
            data.put("owner_id", user);
            store.put("tasks", id, data);
        }
    }

    WsFixture() {
        this(b -> b, HubLimits.DEFAULT);
    }

    WsFixture(UnaryOperator<LiveHub.Builder> tuneLive, HubLimits limits) {
        this(tuneLive, limits, true);
    }

    WsFixture(UnaryOperator<LiveHub.Builder> tuneLive, HubLimits limits, boolean mountLive) {
        this.tuneLive = tuneLive;
        this.limits = limits;
        this.mountLive = mountLive;
        startHub();
    }

    void startHub() {
        hub = Tether.hub().store(hubStore).schemaVersion(1).collection(TASKS).collection(NOTES)
                .conflictPolicy(ConflictPolicy.FIELD_MERGE).limits(limits).retention(Duration.ZERO)
                .authenticator(JwtAuthenticator.hs256(SECRET).build()).build().start();
        live = tuneLive.apply(LiveHub.builder(hub.service())).build().start();
        TetherServer.Builder b = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(port);
        if (mountLive) {
            b.customize(live::mount);
        }
        server = b.build().start();
        port = server.port();
    }

    void stopHub() {
        server.stop();
        live.close();
        hub.close();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    URI socket() {
        return URI.create("ws://127.0.0.1:" + port + LiveHub.PATH);
    }

    static String token(String user) {
        return TOKENS.issue(user, Duration.ofHours(1));
    }

    WebSocketTransport transport(String user, MemoryReplicaStore store) {
        RestTransport rest = RestTransport.builder(base()).token(token(user)).schemaVersion(1)
                .requestTimeout(Duration.ofSeconds(10)).backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .build();
        return WebSocketTransport.builder(socket(), rest).token(token(user)).schemaVersion(1)
                .clientId(store == null ? () -> null : store::clientId)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .pingInterval(Duration.ofSeconds(2)).pingTimeout(Duration.ofSeconds(6))
                .build();
    }

    Device device(String user) {
        return device(user, MemoryStore.replica());
    }

    Device device(String user, MemoryReplicaStore store) {
        return device(user, store, Duration.ZERO);
    }

    Device device(String user, MemoryReplicaStore store, Duration pollInterval) {
        WebSocketTransport transport = transport(user, store);
        ReplicaEngine engine = Tether.replica().store(store).transport(transport).schema(SCHEMA)
                .pollInterval(pollInterval).debounce(Duration.ofMillis(1))
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(300)).build().start();
        Device d = new Device(user, store, transport, engine);
        devices.add(d);
        return d;
    }

    static Map<String, Map<String, Object>> state(RecordQuery q, String collection) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (SyncRecord r : q.list(collection)) {
            out.put(r.id(), r.data());
        }
        return out;
    }

    static Map<String, Object> note(String id, int n) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("text", "note " + id + " #" + n);
        m.put("n", n);
        return m;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public void close() {
        devices.forEach(d -> d.engine().close());
        devices.forEach(d -> d.transport().close());
        stopHub();
    }

    static ScopePolicy open() {
        return ScopePolicy.open();
    }
}
