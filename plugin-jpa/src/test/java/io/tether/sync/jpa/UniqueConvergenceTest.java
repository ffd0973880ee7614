package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
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
import java.util.Random;
import java.util.function.Consumer;


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
        List<KitDevice> devices = new ArrayList<>();
        try (HubEngine hub = Tether.hub().store(hubStore).conflictPolicy(policy).build().start()) {
            for (int i = 0; i < DEVICES; i++) {
                EntityManagerFactory emf = database();
                JpaReplicaStore store = new JpaReplicaStore(emf);
                devices.add(new KitDevice(emf, store, Tether.replica().store(store)
                        .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                        .pullPageSize(1 + random.nextInt(3)).pushBatchSize(1 + random.nextInt(3))
                        .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()));
            }
            for (int step = 0; step < STEPS; step++) {
                KitDevice d = devices.get(random.nextInt(DEVICES));
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
                for (KitDevice d : devices) {
                    d.engine().syncNow();
                }
            }
            for (KitDevice d : devices) {
                if (!d.engine().rejected().isEmpty()) {
                    d.engine().rejected().forEach(r -> d.engine().dismiss(r));
                    d.engine().requestSync().join();
                }
                d.engine().syncNow();
            }
            for (int i = 0; i < DEVICES; i++) {
                devices.get(i).assertHoldsTheHubs(i, hub.records(), "labels");
            }
        } finally {
            for (KitDevice d : devices) {
                d.engine().close();
                d.store().close();
                d.emf().close();
            }
            hubEmf.close();
        }
    }

    /** An application write; one the device's own unique index refuses fails, and the application moves on. */
    private static void tryWrite(KitDevice d, Consumer<EntityManager> write) {
        try {
            Jpa.tx(d.emf(), write);
        } catch (PersistenceException refused) {
            // the code is taken here: the application would tell its user
        }
    }
}
