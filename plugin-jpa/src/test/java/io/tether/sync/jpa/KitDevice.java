package io.tether.sync.jpa;

import io.tether.sync.RecordQuery;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import jakarta.persistence.EntityManagerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A device of a seeded convergence kit on Hibernate: its database, store and engine. */
record KitDevice(EntityManagerFactory emf, JpaReplicaStore store, ReplicaEngine engine) {
    /**
     * Fails unless device {@code i} has nothing left to push, holds exactly the hub's records of {@code collections}
     * and has nothing left waiting.
     */
    void assertHoldsTheHubs(int i, RecordQuery hub, String... collections) {
        assertEquals(0, engine.status().pendingChanges(), "device " + i + " has nothing left to push");
        for (String collection : collections) {
            assertEquals(state(hub.list(collection)), state(store.list(collection)),
                    "device " + i + " holds the hub's " + collection);
        }
        long waiting = Jpa.waiting(emf);
        assertEquals(0, waiting, "device " + i + " has nothing left waiting");
    }

    /** Records by id. */
    static Map<String, Map<String, Object>> state(List<SyncRecord> records) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        records.forEach(r -> out.put(r.id(), r.data()));
        return out;
    }
}
