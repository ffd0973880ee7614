package io.tether.sync.core;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.Schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A hub and replicas on memory stores, for engine tests. */
final class SyncFixture implements AutoCloseable {
    static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false)
            .field("done", FieldType.BOOLEAN, true)
            .field("priority", FieldType.INTEGER, true)
            .build();
    static final Schema SCHEMA = new Schema(1, List.of(TASKS));

    final MemoryHubStore hubStore = MemoryStore.hub();
    final HubEngine hub;
    final List<Device> devices = new ArrayList<>();

    record Device(MemoryReplicaStore store, InProcessTransport transport, ReplicaEngine engine) {
        void put(String id, Map<String, Object> data) {
            store.put("tasks", id, data);
        }
    }

    SyncFixture(io.tether.sync.ConflictPolicy policy) {
        hub = Tether.hub().store(hubStore).collection(TASKS).conflictPolicy(policy).build().start();
    }

    Device device(String user) {
        MemoryReplicaStore store = MemoryStore.replica();
        InProcessTransport transport = new InProcessTransport(hub.service(), Principal.of(user));
        ReplicaEngine engine = Tether.replica().store(store).transport(transport).schema(SCHEMA)
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
        Device d = new Device(store, transport, engine);
        devices.add(d);
        return d;
    }

    static Map<String, Map<String, Object>> state(io.tether.sync.RecordQuery q) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (SyncRecord r : q.list("tasks")) {
            out.put(r.id(), r.data());
        }
        return out;
    }

    @Override
    public void close() {
        devices.forEach(d -> d.engine().close());
        hub.close();
    }
}
