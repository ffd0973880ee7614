package io.tether.sync.jpa;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.spi.Principal;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Synced entities with Long and int ids, whose presence H2 stores look up by key (many ids in one query): a device
 * pulls them, creates more than one lock list's worth and edits some the hub has, and a second device pulls the
 * result. An id found present but reported absent would be inserted a second time and fail the push.
 */
class NumericIdTest {
    /** A meter with a Long id. */
    @Entity(name = "NumericMeter")
    @Synced(collection = "meters", scope = "owner_id")
    public static class Meter {
        @Id
        Long id;
        String label;
        @Column(name = "owner_id")
        String ownerId;

        public Meter() {
        }

        Meter(long id, String label) {
            this.id = id;
            this.label = label;
            this.ownerId = "alice";
        }
    }

    /** A gauge with an int id. */
    @Entity(name = "NumericGauge")
    @Synced(collection = "gauges", scope = "owner_id")
    public static class Gauge {
        @Id
        int id;
        String label;
        @Column(name = "owner_id")
        String ownerId;

        public Gauge() {
        }

        Gauge(int id, String label) {
            this.id = id;
            this.label = label;
            this.ownerId = "alice";
        }
    }

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private EntityManagerFactory database() {
        EntityManagerFactory emf = Databases.h2MemoryOf(Meter.class, Gauge.class);
        closing.add(0, emf);
        return emf;
    }

    private ReplicaEngine device(HubEngine hub, JpaReplicaStore store) {
        ReplicaEngine device = Tether.replica().store(store)
                .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
        closing.add(0, device);
        return device;
    }

    @Test
    void recordsWithNumericIdsAreCreatedAndEditedOnBothSides() {
        EntityManagerFactory hubDb = database();
        JpaHubStore hubStore = new JpaHubStore(hubDb);
        HubEngine hub = Tether.hub().store(hubStore).build().start();
        closing.add(0, hub);
        Jpa.tx(hubDb, em -> {
            for (int i = 1; i <= 10; i++) {
                em.persist(new Meter(i, "hub " + i));
            }
            em.persist(new Gauge(7, "hub gauge"));
        });
        EntityManagerFactory aDb = database();
        ReplicaEngine a = device(hub, new JpaReplicaStore(aDb));
        assertEquals(11, a.syncNow().pulled());

        Jpa.tx(aDb, em -> {
            for (long i = 11; i <= 200; i++) {
                em.persist(new Meter(i, "device " + i));
            }
            for (long i = 1; i <= 10; i += 3) {
                em.find(Meter.class, i).label = "edited " + i;
            }
            em.find(Gauge.class, 7).label = "edited gauge";
            em.persist(new Gauge(8, "device gauge"));
        });
        SyncReport push = a.syncNow();
        assertEquals(196, push.pushed(), "190 creates, 4 meter edits and 2 gauge changes");
        assertEquals(0, push.rejected());

        Map<String, Object> expected = new TreeMap<>();
        for (long i = 1; i <= 200; i++) {
            expected.put(Long.toString(i), i > 10 ? "device " + i : i % 3 == 1 ? "edited " + i : "hub " + i);
        }
        assertEquals(expected, labels(hubStore.list("meters")));
        assertEquals(Map.of("7", "edited gauge", "8", "device gauge"), labels(hubStore.list("gauges")));

        EntityManagerFactory bDb = database();
        JpaReplicaStore bStore = new JpaReplicaStore(bDb);
        ReplicaEngine b = device(hub, bStore);
        assertEquals(202, b.syncNow().pulled());
        assertEquals(expected, labels(bStore.list("meters")));
        assertEquals(Long.valueOf(200), Jpa.call(bDb, em -> em.createQuery("select count(*) from NumericMeter",
                Long.class).getSingleResult()));
    }

    private static Map<String, Object> labels(List<SyncRecord> records) {
        Map<String, Object> out = new TreeMap<>();
        records.forEach(r -> out.put(r.id(), r.data().get("label")));
        return out;
    }
}
