package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.spi.Principal;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;


/**
 * Three devices create, rename and delete projects, create, edit, move and delete tasks in them, offline in between,
 * and sync in a random order with pages and push batches of one to three changes, while the hub compacts its log now
 * and then, devices restart, and changes the hub refused are retried or dismissed: records keep arriving before the
 * projects they reference, and pushes carry tasks before the projects they were moved into, in the same batch or a
 * later one.
 * Under each conflict policy (manual conflicts settled at the end, one way or the other; changes the hub refused
 * given up, then a resync), every sync succeeds, and at the end every device holds exactly the hub's records, with
 * nothing left to push or waiting. Seeded: rerun a failure with {@code -Dtether.seed=<seed>}. The hub runs on H2 and
 * on PostgreSQL ({@link H2ReferencesConvergenceTest}, {@link PostgresReferencesConvergenceTest}).
 */
abstract class ReferencesConvergenceKit {
    private static final int DEVICES = 3;
    private static final int STEPS = 120;

    /** A JDBC URL of an empty database for the hub (the devices are on H2 in memory). */
    abstract String hubUrl();

    @ParameterizedTest
    @EnumSource(value = ConflictPolicy.class, names = {"LAST_WRITER_WINS", "FIELD_MERGE", "SERVER_WINS", "CLIENT_WINS",
            "MANUAL"})
    void devicesConvergeWhileRecordsArriveBeforeWhatTheyReference(ConflictPolicy policy) {
        Seeded.run(seed -> run(seed, policy));
    }

    private void run(long seed, ConflictPolicy policy) throws Exception {
        Random random = new Random(seed);
        EntityManagerFactory hubEmf = Databases.open(hubUrl(), Action.CREATE_DROP);
        JpaHubStore hubStore = new JpaHubStore(hubEmf);
        List<AutoCloseable> closing = new ArrayList<>();
        List<KitDevice> devices = new ArrayList<>();
        try (HubEngine hub = Tether.hub().store(hubStore).conflictPolicy(policy).build().start()) {
            for (int i = 0; i < DEVICES; i++) {
                EntityManagerFactory emf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
                closing.add(0, emf);
                devices.add(open(emf, hub, hubStore, random));
            }
            int next = 0;
            for (int step = 0; step < STEPS; step++) {
                KitDevice d = devices.get(random.nextInt(DEVICES));
                int op = random.nextInt(10);
                String newId = "r" + (next++);
                List<String> projects = ids(d, "projects");
                List<String> tasks = ids(d, "tasks");
                if (op == 0 || projects.isEmpty()) {
                    Jpa.tx(d.emf(), em -> em.persist(new Project("p" + newId, "Project " + newId, "alice")));
                } else if (op <= 2) {
                    String p = projects.get(random.nextInt(projects.size()));
                    Jpa.tx(d.emf(), em -> em.find(Project.class, p).name = "Renamed " + newId);
                } else if (op <= 5 || tasks.isEmpty()) {
                    String p = projects.get(random.nextInt(projects.size()));
                    Jpa.tx(d.emf(), em -> {
                        Task t = new Task("t" + newId, "Task " + newId, "alice");
                        t.project = em.find(Project.class, p);
                        em.persist(t);
                    });
                } else if (op <= 7) {
                    String t = tasks.get(random.nextInt(tasks.size()));
                    String p = projects.get(random.nextInt(projects.size()));
                    Jpa.tx(d.emf(), em -> em.find(Task.class, t).project = em.find(Project.class, p));
                } else if (op == 8) {
                    String t = tasks.get(random.nextInt(tasks.size()));
                    Jpa.tx(d.emf(), em -> em.find(Task.class, t).title = "Edited " + newId);
                } else if (random.nextBoolean()) {
                    // a project no task here is in; another device's task may be, and the hub then refuses it
                    String p = projects.get(random.nextInt(projects.size()));
                    boolean used = Jpa.call(d.emf(), em -> em.createQuery("select count(*) from Task t where "
                            + "t.project.id = :p", Long.class).setParameter("p", p).getSingleResult()) > 0;
                    if (!used) {
                        Jpa.tx(d.emf(), em -> em.remove(em.find(Project.class, p)));
                    }
                } else {
                    String t = tasks.get(random.nextInt(tasks.size()));
                    Jpa.tx(d.emf(), em -> em.remove(em.find(Task.class, t)));
                }
                if (random.nextInt(3) == 0) {
                    devices.get(random.nextInt(DEVICES)).engine().syncNow();
                }
                if (random.nextInt(15) == 0) {
                    hubStore.compact(Instant.now());
                }
                if (random.nextInt(20) == 0) { // a device restarts on its database
                    int i = random.nextInt(DEVICES);
                    KitDevice old = devices.get(i);
                    old.engine().close();
                    old.store().close();
                    devices.set(i, open(old.emf(), hub, hubStore, random));
                }
                if (random.nextInt(10) == 0) { // a person deals with the changes the hub refused
                    KitDevice r = devices.get(random.nextInt(DEVICES));
                    r.engine().rejected().forEach(c -> {
                        if (random.nextBoolean()) {
                            r.engine().dismiss(c);
                        } else {
                            r.engine().retry(c);
                        }
                    });
                    // each asks for a sync in the background: wait for it, so that the run stays one thread's
                    r.engine().requestSync().join();
                }
            }
            for (int round = 0; round < 4; round++) {
                for (KitDevice d : devices) {
                    d.engine().syncNow();
                    // a person settles manual conflicts, one way or the other
                    d.engine().conflicts().list().forEach(c -> {
                        if (random.nextBoolean()) {
                            d.engine().conflicts().acceptHub(c);
                        } else {
                            d.engine().conflicts().keepLocal(c);
                        }
                    });
                }
            }
            for (KitDevice d : devices) {
                d.engine().syncNow();
                // a change the hub refused (a task in a project deleted meanwhile, a project still in use) is given
                // up, and the resync that follows brings the device back to the hub's records
                if (!d.engine().rejected().isEmpty()) {
                    d.engine().rejected().forEach(r -> d.engine().dismiss(r));
                    d.engine().requestSync().join();
                }
            }
            for (int i = 0; i < DEVICES; i++) {
                devices.get(i).assertHoldsTheHubs(i, hub.records(), "projects", "tasks");
            }
        } finally {
            for (KitDevice d : devices) {
                d.engine().close();
                d.store().close();
            }
            for (AutoCloseable c : closing) {
                c.close();
            }
            hubEmf.close();
        }
    }

    /** A device's store and engine on {@code emf}, with pages and push batches of one to three changes. */
    private static KitDevice open(EntityManagerFactory emf, HubEngine hub, JpaHubStore hubStore, Random random) {
        JpaReplicaStore store = new JpaReplicaStore(emf);
        ReplicaEngine engine = Tether.replica().store(store)
                .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                .schema(hubStore.schema()).pullPageSize(1 + random.nextInt(3)).pushBatchSize(1 + random.nextInt(3))
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
        return new KitDevice(emf, store, engine);
    }

    private static List<String> ids(KitDevice d, String collection) {
        return d.store().list(collection).stream().map(SyncRecord::id).sorted().toList();
    }
}
