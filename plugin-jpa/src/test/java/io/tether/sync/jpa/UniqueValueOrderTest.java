package io.tether.sync.jpa;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.spi.Principal;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A synced entity with a unique column: the hub frees a value, then gives it to another record, in an order its
 * unique index allows. A device applies a page of those changes in one transaction, and Hibernate flushes inserts
 * before updates and each entity's updates as one; the page then broke the index, and so did every pull after it.
 * A write that changes a value a unique index covers is now flushed before the next write; and a record taking a
 * value that the change freeing it, compacted away, no longer precedes waits for the record holding it. Devices on
 * H2 and on PostgreSQL (where the index's metadata is spelled in lower case).
 */
class UniqueValueOrderTest {
    /** A label whose code is unique. */
    @Entity(name = "UniqueLabel")
    @Synced(collection = "labels", scope = "owner_id")
    public static class Label {
        @Id
        String id;
        @Column(unique = true, nullable = false)
        String code;
        String title;
        @Column(name = "owner_id")
        String ownerId;

        public Label() {
        }

        Label(String id, String code) {
            this.id = id;
            this.code = code;
            this.title = id;
            this.ownerId = "alice";
        }
    }

    private final List<AutoCloseable> closing = new ArrayList<>();
    private String pgUrl;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        Databases.dropPostgresSchema(pgUrl);
    }

    private EntityManagerFactory database(String url) {
        HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration("tether-test-labels")
                .managedClasses(Label.class).jdbcUrl(url).schemaToolingAction(Action.CREATE_DROP);
        if (url.startsWith("jdbc:postgresql")) {
            config.jdbcCredentials(System.getenv().getOrDefault("TETHER_TEST_PG_USER", "postgres"),
                    System.getenv().getOrDefault("TETHER_TEST_PG_PASSWORD", ""));
        }
        EntityManagerFactory emf = config.createEntityManagerFactory();
        closing.add(0, emf);
        return emf;
    }

    private EntityManagerFactory hubDb;
    private JpaHubStore hubStore;
    private EntityManagerFactory deviceDb;
    private JpaReplicaStore store;
    private ReplicaEngine device;

    /** A hub on H2 with labels a (code x) and b (code y), and a device on {@code deviceDatabase} holding them. */
    private void hubAndDevice(String deviceDatabase, int pageSize) {
        hubDb = database(Databases.h2Memory());
        hubStore = new JpaHubStore(hubDb);
        HubEngine hub = Tether.hub().store(hubStore).build().start();
        closing.add(0, hub);
        if (deviceDatabase.equals("postgresql")) {
            pgUrl = Databases.postgresSchema(UniqueValueOrderTest.class);
        }
        deviceDb = database(pgUrl != null ? pgUrl : Databases.h2Memory());
        store = new JpaReplicaStore(deviceDb);
        device = Tether.replica().store(store)
                .transport(new InProcessTransport(hub.service(), Principal.of("alice"))).pullPageSize(pageSize)
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
        closing.add(0, device);
        Jpa.tx(hubDb, em -> {
            em.persist(new Label("a", "x"));
            em.persist(new Label("b", "y"));
        });
        device.syncNow();
    }

    @ParameterizedTest(name = "device on {0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void aUniqueValueFreedAndTakenAgainIsAppliedInTheHubsOrder(String deviceDatabase) {
        hubAndDevice(deviceDatabase, 1000);
        Jpa.tx(hubDb, em -> em.find(Label.class, "a").code = "z");      // a frees x
        Jpa.tx(hubDb, em -> em.persist(new Label("c", "x")));           // and a new label takes it
        Jpa.tx(hubDb, em -> em.find(Label.class, "b").code = "t");      // b and a swap through a third value
        Jpa.tx(hubDb, em -> em.find(Label.class, "a").code = "y");
        Jpa.tx(hubDb, em -> em.find(Label.class, "b").code = "z");
        device.syncNow(); // one page: failed on the unique index before, and every sync after it

        assertEquals(codes(hubStore.list("labels")), codes(store.list("labels")));
        assertEquals(Map.of("a", "y", "b", "z", "c", "x"), codes(store.list("labels")));
    }

    /**
     * The hub frees a value, gives it to a new label, then changes the first label again and compacts its log: the
     * entry that freed the value goes, so the new label comes first. It waits, durably, until the label holding its
     * value gives it up (a later change of it, here in the next page), instead of failing every pull on the index.
     */
    @ParameterizedTest(name = "device on {0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void aLabelTakingAValueItsHolderGivesUpInALaterPageWaitsForIt(String deviceDatabase) {
        hubAndDevice(deviceDatabase, 1);
        Jpa.tx(hubDb, em -> em.find(Label.class, "a").code = "z");      // a frees x (compacted away below)
        Jpa.tx(hubDb, em -> em.persist(new Label("c", "x")));           // c takes it
        Jpa.tx(hubDb, em -> em.find(Label.class, "a").title = "A2");    // a's latest entry: after c's
        hubStore.compact(Instant.now());

        device.syncNow(); // failed on the unique index before, and every sync after it
        assertEquals(Map.of("a", "z", "b", "y", "c", "x"), codes(store.list("labels")));
        long waiting = Jpa.waiting(deviceDb);
        assertEquals(0, waiting, "nothing left waiting");
    }

    /**
     * Two labels swap codes through a third value on the hub, which then compacts: the entry with the third value
     * goes, so each label's delivered state takes the value the other holds here. The first waits for the second; the
     * second then makes way (its entity is taken out, and written again with its delivered state once the first is
     * written) instead of both waiting for each other for good.
     */
    @ParameterizedTest(name = "device on {0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void twoLabelsThatSwappedCodesThroughAThirdValueSwapHereToo(String deviceDatabase) {
        hubAndDevice(deviceDatabase, 1);
        Jpa.tx(hubDb, em -> em.find(Label.class, "a").code = "t");      // a: x -> t (compacted away below)
        Jpa.tx(hubDb, em -> em.find(Label.class, "b").code = "x");      // b: y -> x
        Jpa.tx(hubDb, em -> em.find(Label.class, "a").code = "y");      // a: t -> y
        hubStore.compact(Instant.now());

        device.syncNow();
        assertEquals(Map.of("a", "y", "b", "x"), codes(store.list("labels")));
        long waiting = Jpa.waiting(deviceDb);
        assertEquals(0, waiting, "nothing left waiting");
    }

    private static Map<String, Object> codes(List<SyncRecord> records) {
        Map<String, Object> out = new TreeMap<>();
        records.forEach(r -> out.put(r.id(), r.data().get("code")));
        return out;
    }
}
