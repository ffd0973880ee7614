package io.tether.sync.rest;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.RecordQuery;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Schema;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/** A hub on a memory store served by a {@link TetherServer} on 127.0.0.1, and replicas talking to it over HTTP. */
final class RestFixture implements AutoCloseable {
    static final String SECRET = "rest-fixture-secret-0123456789abcdef";
    static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false)
            .field("done", FieldType.BOOLEAN, false)
            .field("priority", FieldType.INTEGER, true)
            .build();
    static final Schema SCHEMA = new Schema(1, List.of(TASKS));
    static final JwtIssuer TOKENS = new JwtIssuer(SECRET);

    final MemoryHubStore hubStore = MemoryStore.hub();
    final HubEngine hub;
    final TetherServer server;
    final List<Device> devices = new ArrayList<>();

    record Device(String user, MemoryReplicaStore store, RestTransport transport, ReplicaEngine engine) {
        /** Writes a task without its scope field: the hub fills it in and the engine brings it back. */
        void put(String id, String title, boolean done) {
            store.put("tasks", id, task(id, title, done));
        }

        void edit(String id, UnaryOperator<Map<String, Object>> change) {
            Map<String, Object> data = new HashMap<>(store.get("tasks", id).orElseThrow().data());
            store.put("tasks", id, change.apply(data));
        }
    }

    RestFixture(ConflictPolicy policy) {
        hub = Tether.hub().store(hubStore).collection(TASKS).conflictPolicy(policy)
                .authenticator(JwtAuthenticator.hs256(SECRET).build()).build().start();
        server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).build().start();
    }

    static Map<String, Object> task(String id, String title, boolean done) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("done", done);
        m.put("priority", null);   // the hub stores every field of the schema
        return m;
    }

    static String token(String user) {
        return TOKENS.issue(user, Duration.ofHours(1));
    }

    Device device(String user) {
        return device(user, server.uri(), b -> b);
    }

    Device device(String user, URI url, UnaryOperator<RestTransport.Builder> tune) {
        MemoryReplicaStore store = MemoryStore.replica();
        RestTransport transport = tune.apply(RestTransport.builder(url).token(token(user)).schemaVersion(1)
                .requestTimeout(Duration.ofSeconds(10)).backoff(Duration.ofMillis(20), Duration.ofMillis(200))).build();
        ReplicaEngine engine = Tether.replica().store(store).transport(transport).schema(SCHEMA)
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO)
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build().start();
        Device d = new Device(user, store, transport, engine);
        devices.add(d);
        return d;
    }

    static Map<String, Map<String, Object>> state(RecordQuery q) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (SyncRecord r : q.list("tasks")) {
            out.put(r.id(), r.data());
        }
        return out;
    }

    /** The hub's records of one owner. */
    Map<String, Map<String, Object>> hubStateOf(String owner) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        state(hubStore).forEach((id, data) -> {
            if (owner.equals(data.get("owner_id"))) {
                out.put(id, data);
            }
        });
        return out;
    }

    @Override
    public void close() {
        devices.forEach(d -> d.engine().close());
        devices.forEach(d -> d.transport().close());
        server.stop();
        hub.close();
    }
}
