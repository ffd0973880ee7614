package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.jpa.UniqueValueOrderTest.Label;
import io.tether.sync.spi.Principal;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three devices create, recode and delete labels whose code is unique, drawing codes from a small pool so that
 * values are freed and taken again all the time, offline in between, and sync in a random order with pages and push
 * batches of one to three changes while the hub compacts its log now and then: records arrive before the change that
 * freed their value. Every sync succeeds (a write the device's own index refuses is the application's failure, and
 * is skipped), and at the end, the changes the hub refused given up and a resync run, every device holds exactly the
 * hub's labels with nothing left waiting. Seeded: rerun a failure with {@code -Dtether.seed=<seed>}.
 */
class UniqueConvergenceTest {
    private static final int DEVICES = 3;
    private static final int STEPS = 150;
    private static final int CODES = 6;

    private record Device(EntityManagerFactory emf, JpaReplicaStore store, ReplicaEngine engine) {
    }

    @ParameterizedTest
    @EnumSource(value = ConflictPolicy.class, names = {"LAST_WRITER_WINS", "FIELD_MERGE", "SERVER_WINS", "CLIENT_WINS"})
    void devicesConvergeWhileUniqueValuesMoveBetweenLabels(ConflictPolicy policy) {
        Seeded.run(seed -> run(seed, policy));
    }

    private static EntityManagerFactory database() {
        return new HibernatePersistenceConfiguration("tether-test-labels").managedClasses(Label.class)
                .jdbcUrl(Databases.h2Memory()).schemaToolingAction(Action.CREATE_DROP).createEntityManagerFactory();
    }

    private void run(long seed, ConflictPolicy policy) throws Exception {
        Random random = new Random(seed);
        EntityManagerFactory hubEmf = database();
        JpaHubStore hubStore = new JpaHubStore(hubEmf);
        List<Device> devices = new ArrayList<>();
        try (HubEngine hub = Tether.hub().store(hubStore).conflictPolicy(policy).build().start()) {
            for (int i = 0; i < DEVICES; i++) {
                EntityManagerFactory emf = database();
                JpaReplicaStore store = new JpaReplicaStore(emf);
                devices.add(new Device(emf, store, Tether.replica().store(store)
                        .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                        .pullPageSize(1 + random.nextInt(3)).pushBatchSize(1 + random.nextInt(3))
                        .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()));
            }
            for (int step = 0; step < STEPS; step++) {
                Device d = devices.get(random.nextInt(DEVICES));
                List<String> labels = d.store().list("labels").stream().map(SyncRecord::id).sorted().toList();
                String code = "c" + random.nextInt(CODES);
                int op = random.nextInt(10);
                if (op < 3 || labels.isEmpty()) {
                    String id = "l" + step;
                    tryWrite(d, em -> em.persist(new Label(id, code)));
                } else if (op < 8) {
                    String id = labels.get(random.nextInt(labels.size()));
                    tryWrite(d, em -> em.find(Label.class, id).code = code);
                } else if (op == 8) {
                    String id = labels.get(random.nextInt(labels.size()));
                    tryWrite(d, em -> em.find(Label.class, id).title = "t" + code);
                } else {
                    String id = labels.get(random.nextInt(labels.size()));
                    tryWrite(d, em -> em.remove(em.find(Label.class, id)));
                }
                if (random.nextInt(3) == 0) {
                    devices.get(random.nextInt(DEVICES)).engine().syncNow();
                }
                if (random.nextInt(10) == 0) {
                    hubStore.compact(Instant.now());
                }
            }
            for (int round = 0; round < 3; round++) {
                for (Device d : devices) {
                    d.engine().syncNow();
                }
            }
            for (Device d : devices) {
                if (!d.engine().rejected().isEmpty()) {
                    d.engine().rejected().forEach(r -> d.engine().dismiss(r));
                    d.engine().requestSync().join();
                }
                d.engine().syncNow();
            }
            for (int i = 0; i < DEVICES; i++) {
                Device d = devices.get(i);
                assertEquals(0, d.engine().status().pendingChanges(), "device " + i + " has nothing left to push");
                assertEquals(state(hub.records().list("labels")), state(d.store().list("labels")),
                        "device " + i + " holds the hub's labels");
                long waiting = Jpa.waiting(d.emf());
                assertEquals(0, waiting, "device " + i + " has nothing left waiting");
            }
        } finally {
            for (Device d : devices) {
                d.engine().close();
                d.store().close();
                d.emf().close();
            }
            hubEmf.close();
        }
    }

    /** An application write; one the device's own unique index refuses fails, and the application moves on. */
    private static void tryWrite(Device d, Consumer<EntityManager> write) {
        try {
            Jpa.tx(d.emf(), write);
        } catch (PersistenceException refused) {
            // the code is taken here: the application would tell its user
        }
    }

    private static Map<String, Map<String, Object>> state(List<SyncRecord> records) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        records.forEach(r -> out.put(r.id(), r.data()));
        return out;
    }
}
