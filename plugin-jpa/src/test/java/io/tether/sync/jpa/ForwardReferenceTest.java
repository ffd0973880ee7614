package io.tether.sync.jpa;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncException;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.ScopeSet;
import io.tether.sync.spi.SyncTransport;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pulled pages come in version order, so a replica can be delivered a task before the project it references, whose
 * latest version is later (it was renamed after the task was created). With foreign keys on the replica's tables,
 * writing the task first fails; the task waits, durably, until its project is here.
 */
class ForwardReferenceTest {
    private static final PullFilter EVERYTHING = new PullFilter(Map.of("tasks", ScopeSet.ALL, "projects",
            ScopeSet.ALL));

    private EntityManagerFactory hubEmf;
    private JpaHubStore hubStore;
    private HubEngine hub;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void hub() {
        hubEmf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
        hubStore = new JpaHubStore(hubEmf);
        hub = Tether.hub().store(hubStore).build().start();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        hub.close();
        hubEmf.close();
    }

    private record Device(EntityManagerFactory emf, JpaReplicaStore store, ReplicaEngine engine,
                          List<ChangeBatch> batches) {
    }

    private Device device(EntityManagerFactory emf, int pageSize) {
        return device(emf, pageSize, 1000, new InProcessTransport(hub.service(), Principal.of("alice")));
    }

    private Device device(EntityManagerFactory emf, int pageSize, int pushBatch, SyncTransport transport) {
        JpaReplicaStore store = new JpaReplicaStore(emf);
        ReplicaEngine engine = Tether.replica().store(store).transport(transport)
                .schema(hubStore.schema()).pullPageSize(pageSize).pushBatchSize(pushBatch).pollInterval(Duration.ZERO)
                .debounce(Duration.ZERO).build().start();
        List<ChangeBatch> batches = new CopyOnWriteArrayList<>();
        engine.onChange(batches::add);
        closing.add(0, engine);
        return new Device(emf, store, engine, batches);
    }

    private EntityManagerFactory database() {
        EntityManagerFactory emf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
        closing.add(emf);
        return emf;
    }

    /** On the hub: project p1 (version 1), task t1 in it (2), p1 renamed (3). */
    private void taskThenRenamedProject() {
        Jpa.tx(hubEmf, em -> em.persist(new Project("p1", "Home", "alice")));
        Jpa.tx(hubEmf, em -> {
            Task t = new Task("t1", "Paint the door", "alice");
            t.project = em.find(Project.class, "p1");
            em.persist(t);
        });
        Jpa.tx(hubEmf, em -> em.find(Project.class, "p1").name = "House");
    }

    /**
     * A device on pages of one change (Hibernate cannot reorder a page's writes) holding task t1 ("Paint the door"),
     * created on the hub.
     */
    private Device deviceHoldingT1() {
        Jpa.tx(hubEmf, em -> em.persist(new Task("t1", "Paint the door", "alice")));
        Device d = device(database(), 1);
        d.engine().syncNow();
        return d;
    }

    /**
     * On the hub: project p9 created, task t1 moved into it, p9 renamed "House", and the log compacted, so that p9's
     * first entry goes and the log holds t1's move, then p9's rename: a pull delivers t1 before p9.
     */
    private void moveT1IntoANewProjectThenRenameIt() {
        Jpa.tx(hubEmf, em -> em.persist(new Project("p9", "Home", "alice")));
        Jpa.tx(hubEmf, em -> em.find(Task.class, "t1").project = em.find(Project.class, "p9"));
        Jpa.tx(hubEmf, em -> em.find(Project.class, "p9").name = "House");
        hubStore.compact(Instant.now());
    }

    /** Task t1's data, in project {@code projectId}. */
    private static Map<String, Object> t1In(String projectId) {
        return Map.of("id", "t1", "title", "T", "done", false, "owner_id", "alice", "project_id", projectId);
    }

    private static Map<String, Object> project(String id, String name) {
        return Map.of("id", id, "name", name, "owner_id", "alice");
    }

    private static String projectOf(Device d, String task) {
        return String.valueOf(d.store().get("tasks", task).orElseThrow().data().get("project_id"));
    }

    private static long waiting(Device d) {
        return Jpa.waiting(d.emf());
    }

    @ParameterizedTest(name = "pages of {0}")
    @ValueSource(ints = {1, 2, 500})
    void anInitialSyncDeliversATaskBeforeItsRenamedProject(int pageSize) {
        taskThenRenamedProject();
        Device d = device(database(), pageSize);
        assertEquals(2, d.engine().syncNow().pulled(), "an initial sync delivers each record's latest state");
        assertEquals("p1", projectOf(d, "t1"));
        assertEquals("House", d.store().get("projects", "p1").orElseThrow().data().get("name"));
        assertEquals(0, waiting(d), "nothing is left waiting");
        assertTrue(d.batches().stream().flatMap(b -> b.changes().stream()).anyMatch(e -> e.id().equals("t1")),
                "listeners hear of the task once it is written");
    }

    @Test
    void aPullAfterCompactionDeliversATaskBeforeItsProject() {
        Device d = device(database(), 1);
        d.engine().syncNow(); // a cursor before anything exists
        taskThenRenamedProject();
        hubStore.compact(Instant.now());
        assertEquals(List.of(2L, 3L), hubStore.changesSince(0, hubStore.headVersion(), 10, EVERYTHING).stream()
                .map(LogEntry::version).toList(), "p1's first entry is gone: its rename superseded it");
        d.engine().syncNow();
        assertEquals("p1", projectOf(d, "t1"));
        assertEquals(0, waiting(d));
    }

    @Test
    void aTaskWaitsAcrossSyncsAndRestartsForAProjectItCannotSeeUntilItMoves() {
        Jpa.tx(hubEmf, em -> em.persist(new Project("bob-p", "Bob's", "bob")));
        Jpa.tx(hubEmf, em -> em.persist(new Project("p2", "Mine", "alice")));
        Jpa.tx(hubEmf, em -> {
            Task t = new Task("t1", "In bob's project", "alice");
            t.project = em.find(Project.class, "bob-p");
            em.persist(t);
        });
        EntityManagerFactory emf = database();
        Device first = device(emf, 500);
        first.engine().syncNow(); // alice cannot read bob-p: t1 waits, and the sync does not fail
        assertTrue(first.store().get("tasks", "t1").isEmpty());
        assertEquals(1, waiting(first));
        first.engine().close();
        first.store().close();

        Device again = device(emf, 500); // the same database, reopened
        Jpa.tx(hubEmf, em -> em.find(Task.class, "t1").project = em.find(Project.class, "p2"));
        again.engine().syncNow();
        assertEquals("p2", projectOf(again, "t1"));
        assertEquals(0, waiting(again), "the newer state replaced the one that waited");
    }

    /**
     * A task in a manual conflict on this device is moved, elsewhere, to a new project that is then renamed, and the
     * hub compacts its log: the pull delivers the task before the project. It waits beside the conflict instead of failing every pull, and
     * the conflict, resolved, brings the hub's state.
     */
    @Test
    void aTaskInAManualConflictWaitsBesideItForItsNewProject() {
        hub.close();
        hub = Tether.hub().store(hubStore).conflictPolicy(ConflictPolicy.MANUAL).build().start();
        Device laptop = deviceHoldingT1();
        Jpa.tx(laptop.emf(), em -> em.find(Task.class, "t1").title = "Paint the door green");
        moveT1IntoANewProjectThenRenameIt();

        SyncReport report = laptop.engine().syncNow(); // the push conflicts; the pull brings t1 before p9
        assertEquals(1, report.conflicts());
        assertEquals("Paint the door green", laptop.store().get("tasks", "t1").orElseThrow().data().get("title"),
                "the local edit stays while the conflict waits");
        assertEquals("House", laptop.store().get("projects", "p9").orElseThrow().data().get("name"));
        assertEquals(0, waiting(laptop), "the conflict, not the waiting table, holds the hub's side");
        laptop.engine().syncNow();

        laptop.engine().conflicts().list().forEach(c -> laptop.engine().conflicts().acceptHub(c));
        assertEquals("p9", projectOf(laptop, "t1"));
        assertEquals("Paint the door", laptop.store().get("tasks", "t1").orElseThrow().data().get("title"));
    }

    /**
     * A task edited offline is moved, elsewhere, to a new project, which is then renamed, and the hub compacts. The
     * push's answer (the two changes merged) references the project, not here yet, so the task waits at that
     * version; the pull then brings the task's move, an older version, before the project. The older delivery must
     * not replace the waiting state: it did, and was written once the project came, so the device lost its own edit
     * (the hub kept it) while the newer state, its own push's echo, was passed over.
     */
    @Test
    void anOlderDeliveryDoesNotReplaceAPushedStateWaitingForItsProject() {
        Device d = deviceHoldingT1();
        Jpa.tx(d.emf(), em -> em.find(Task.class, "t1").title = "Paint the door green");
        moveT1IntoANewProjectThenRenameIt();

        d.engine().syncNow();
        assertEquals("Paint the door green", d.store().get("tasks", "t1").orElseThrow().data().get("title"));
        assertEquals("p9", projectOf(d, "t1"));
        assertEquals(hubStore.get("tasks", "t1").orElseThrow().version(), d.store().get("tasks", "t1").orElseThrow()
                .version(), "the device holds the hub's version");
        assertEquals(0, waiting(d));
    }

    /**
     * A task with a local change not pushed yet (uploads paused) is moved, elsewhere, to a new project, then renamed,
     * and the hub compacts: the pull delivers the task before the project, and the task cannot wait beside a pending
     * change (its push rebases the change on the record as held here). The pull fails with what it is and what ends
     * it, not with the foreign key's error, and applies nothing; once uploads resume, the push settles the change and
     * the same pages apply.
     */
    @Test
    void aTaskWithAPendingChangeStopsThePullWithAClearErrorUntilTheChangeIsPushed() {
        Device d = deviceHoldingT1();
        d.engine().pauseUploads();
        Jpa.tx(d.emf(), em -> em.find(Task.class, "t1").title = "Paint the door green");
        moveT1IntoANewProjectThenRenameIt();

        SyncException e = assertThrows(SyncException.class, () -> d.engine().syncNow());
        assertTrue(e.getMessage().startsWith("The hub's state of tasks/t1 references projects/p9, which this replica "
                + "does not hold yet, and tasks/t1 has a local change not pushed yet"), e.getMessage());
        assertTrue(d.store().get("projects", "p9").isEmpty(), "nothing of the page was applied");
        assertEquals("Paint the door green", d.store().get("tasks", "t1").orElseThrow().data().get("title"));

        d.engine().resumeUploads();
        d.engine().syncNow();
        assertEquals("p9", projectOf(d, "t1"));
        assertEquals("Paint the door green", d.store().get("tasks", "t1").orElseThrow().data().get("title"));
        assertEquals("House", d.store().get("projects", "p9").orElseThrow().data().get("name"));
        assertEquals(0, waiting(d));
    }

    /**
     * A task whose local change the hub rejected (moved to another user's scope) is moved, elsewhere, to a new
     * project, then renamed, and the hub compacts: the pull delivers the task before the project. It waits beside the
     * rejected change instead of failing every pull until someone deals with the rejection.
     */
    @Test
    void aTaskWithARejectedChangeWaitsBesideItForItsNewProject() {
        Device d = deviceHoldingT1();
        Jpa.tx(d.emf(), em -> em.find(Task.class, "t1").ownerId = "bob");
        assertEquals(1, d.engine().syncNow().rejected());
        moveT1IntoANewProjectThenRenameIt();

        d.engine().syncNow(); // failed on the foreign key before, and every sync after it
        assertEquals("House", d.store().get("projects", "p9").orElseThrow().data().get("name"));
        assertEquals("bob", d.store().get("tasks", "t1").orElseThrow().data().get("owner_id"),
                "the local state stays while its rejected change waits for the application");
        assertEquals(1, d.engine().rejected().size());
        assertEquals(0, waiting(d));
    }

    /**
     * A resync marks every version stale ({@code -v}); a stale record takes a delivery even at its own version, so a
     * task that waited at version 50 while its version row says -50 is written once its project arrives, not
     * dropped as already held. Found by {@link ReferencesConvergenceKit} (a task lost after a resync).
     */
    @Test
    void aWaitingTaskWhoseVersionIsStaleAtTheSameVersionIsWritten() {
        Device d = device(database(), 500);
        d.store().inTransaction(tx -> {
            tx.applyRemote("tasks", "t1", t1In("p9"), 50);
            tx.setVersion("tasks", "t1", -50);
            return null;
        });
        assertEquals(1, waiting(d));
        d.store().inTransaction(tx -> {
            tx.applyRemote("projects", "p9", project("p9", "Home"), 60);
            return null;
        });
        assertEquals("p9", projectOf(d, "t1"));
        assertEquals(50, d.store().get("tasks", "t1").orElseThrow().version());
        assertEquals(0, waiting(d));
    }

    /**
     * A resync delivers a task moved into a project this replica does not hold (here the project's creator deleted it
     * locally, and the hub rejected that delete because the task is in it): the task waits. The end of the resync
     * must not take it for a record the hub no longer has and remove it. Found by {@link ReferencesConvergenceKit}
     * (seed 4211845376874: a task lost on one device).
     */
    @Test
    void aTaskWaitingAtTheEndOfAResyncIsKeptUntilItsProjectArrives() {
        Device d = device(database(), 500);
        d.store().inTransaction(tx -> {
            tx.applyRemote("projects", "p1", project("p1", "One"), 1);
            tx.applyRemote("tasks", "t1", t1In("p1"), 2);
            return null;
        });
        d.store().inTransaction(tx -> {
            tx.beginResync();
            tx.applyRemote("projects", "p1", project("p1", "One"), 1);
            tx.applyRemote("tasks", "t1", t1In("p9"), 30);
            return null;
        });
        assertEquals(1, waiting(d));
        assertEquals(0, (int) d.store().inTransaction(tx -> tx.finishResync(100)), "nothing to remove");
        assertEquals("p1", projectOf(d, "t1"), "kept as it was while its new state waits");
        assertEquals(1, waiting(d));
        d.store().inTransaction(tx -> {
            tx.applyRemote("projects", "p9", project("p9", "Nine"), 31);
            return null;
        });
        assertEquals("p9", projectOf(d, "t1"));
        assertEquals(30, d.store().get("tasks", "t1").orElseThrow().version());
        assertEquals(0, waiting(d));
    }

    /**
     * A waiting state is dropped once the record is held at a later version without a delivery: a push of the local
     * state (a manual conflict kept local) settled as sent. Found by {@link ReferencesConvergenceKit} (seed
     * 8064178967182: a waiting row left behind for good).
     */
    @Test
    void aWaitingStateIsDroppedWhenAPushSettlesTheRecordPastIt() {
        Device d = device(database(), 500);
        d.store().inTransaction(tx -> {
            tx.applyRemote("projects", "p1", project("p1", "One"), 1);
            tx.applyRemote("tasks", "t1", t1In("p1"), 2);
            tx.applyRemote("tasks", "t1", t1In("p9"), 5);
            return null;
        });
        assertEquals(1, waiting(d));
        d.store().inTransaction(tx -> {
            tx.setVersion("tasks", "t1", 7);
            return null;
        });
        assertEquals(0, waiting(d), "held at 7, the state at 5 is stale");
        assertEquals("p1", projectOf(d, "t1"));
    }

    @Test
    void aDeleteOfAWaitingTaskDropsIt() {
        Jpa.tx(hubEmf, em -> em.persist(new Project("bob-p", "Bob's", "bob")));
        Jpa.tx(hubEmf, em -> {
            Task t = new Task("t1", "In bob's project", "alice");
            t.project = em.find(Project.class, "bob-p");
            em.persist(t);
        });
        Device d = device(database(), 500);
        d.engine().syncNow();
        assertEquals(1, waiting(d));
        Jpa.tx(hubEmf, em -> em.remove(em.find(Task.class, "t1")));
        d.engine().syncNow();
        assertEquals(0, waiting(d));
        assertTrue(d.store().get("tasks", "t1").isEmpty());
    }

    /** The hub's transport for alice, keeping every push request it carries. */
    private SyncTransport recording(List<PushRequest> pushes) {
        SyncTransport hubTransport = new InProcessTransport(hub.service(), Principal.of("alice"));
        return new SyncTransport() {
            @Override
            public PushResponse push(PushRequest request) {
                pushes.add(request);
                return hubTransport.push(request);
            }

            @Override
            public PullResponse pull(PullRequest request) {
                return hubTransport.pull(request);
            }

            @Override
            public Schema schema() {
                return hubTransport.schema();
            }
        };
    }

    /** The ids of the records the pushes carried, in order. */
    private static List<String> sentIds(List<PushRequest> pushes) {
        return pushes.stream().flatMap(p -> p.changes().stream()).map(Change::id).toList();
    }

    /** Tasks f0, f1, ... created on the device, one transaction each. */
    private static void persistFillers(Device d, int n) {
        for (int i = 0; i < n; i++) {
            int k = i;
            Jpa.tx(d.emf(), em -> em.persist(new Task("f" + k, "Filler " + k, "alice")));
        }
    }

    /**
     * Offline, a device creates a task, then more than a push batch of other changes, then a project, and moves the
     * task into it: the task's outbox entry keeps its first sequence, so the task goes a batch before its project
     * and the hub's foreign key refuses it. It is sent once more at the end of the push, and applied.
     */
    @Test
    void aTaskMovedIntoAProjectCreatedBatchesLaterIsPushedOnceMoreAfterIt() {
        List<PushRequest> pushes = new CopyOnWriteArrayList<>();
        Device d = device(database(), 500, 2, recording(pushes));
        d.engine().syncNow();
        Jpa.tx(d.emf(), em -> em.persist(new Task("t1", "Paint the door", "alice")));
        persistFillers(d, 3);
        Jpa.tx(d.emf(), em -> em.persist(new Project("p9", "Home", "alice")));
        Jpa.tx(d.emf(), em -> em.find(Task.class, "t1").project = em.find(Project.class, "p9"));

        SyncReport report = d.engine().syncNow();
        assertEquals(0, report.rejected(), report.toString());
        assertEquals(5, report.pushed(), report.toString());
        assertTrue(d.engine().rejected().isEmpty());
        assertEquals("p9", Jpa.call(hubEmf, em -> em.find(Task.class, "t1").project.id));
        assertEquals(List.of("t1", "f0", "f1", "f2", "p9", "t1"), sentIds(pushes), "t1 once more, after the rest");
        assertEquals(0, d.engine().syncNow().pushed(), "nothing is left to push");
    }

    /** A change the hub rejects again at the end of the push is rejected: sent twice in all, never more. */
    @Test
    void aTaskReferencingAProjectNoOneHasIsRejectedAfterOneMoreTry() {
        Jpa.tx(hubEmf, em -> em.persist(new Project("gone", "Gone soon", "alice")));
        List<PushRequest> pushes = new CopyOnWriteArrayList<>();
        Device d = device(database(), 500, 2, recording(pushes));
        d.engine().syncNow();
        Jpa.tx(d.emf(), em -> {
            Task t = new Task("t1", "Nowhere", "alice");
            t.project = em.find(Project.class, "gone");
            em.persist(t);
        });
        persistFillers(d, 3);
        // the hub deletes the project meanwhile (nothing references it there)
        Jpa.tx(hubEmf, em -> em.remove(em.find(Project.class, "gone")));

        SyncReport report = d.engine().syncNow();
        assertEquals(1, report.rejected(), report.toString());
        assertEquals(1, d.engine().rejected().size());
        assertEquals(2, Collections.frequency(sentIds(pushes), "t1"));
        d.engine().syncNow();
        assertEquals(2, Collections.frequency(sentIds(pushes), "t1"), "a rejected change stays out of the automatic "
                + "retries");
    }
}
