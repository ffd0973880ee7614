package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.Tether;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResult;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pushes of one record at the same moment, on H2 and on PostgreSQL (skipped when it is not reachable): two devices
 * editing different fields from the same version both keep their edit (field-merge), however the two transactions
 * interleave, and a change sent twice at once (a retry while the first is still in flight) is applied once.
 */
class ConcurrentPushTest {
    private static final Principal ALICE = Principal.of("alice");
    private static final int ROUNDS = 40;

    @Test
    void simultaneousEditsOfOneRecordAreBothKeptOnH2() throws Exception {
        simultaneousEditsAreBothKept(Databases.h2Memory());
    }

    @Test
    void simultaneousEditsOfOneRecordAreBothKeptOnPostgres() throws Exception {
        String url = Databases.postgresSchema(ConcurrentPushTest.class);
        try {
            simultaneousEditsAreBothKept(url);
        } finally {
            Databases.dropPostgresSchema(url);
        }
    }

    @Test
    void aChangeSentTwiceAtOnceIsAppliedOnceOnH2() throws Exception {
        sentTwiceAppliedOnce(Databases.h2Memory());
    }

    @Test
    void aChangeSentTwiceAtOnceIsAppliedOnceOnPostgres() throws Exception {
        String url = Databases.postgresSchema(ConcurrentPushTest.class);
        try {
            sentTwiceAppliedOnce(url);
        } finally {
            Databases.dropPostgresSchema(url);
        }
    }

    @Test
    void anApplicationWriteAndAPushAtOnceAreBothKeptOnH2() throws Exception {
        applicationWriteAndPushBothKept(Databases.h2Memory());
    }

    @Test
    void anApplicationWriteAndAPushAtOnceAreBothKeptOnPostgres() throws Exception {
        String url = Databases.postgresSchema(ConcurrentPushTest.class);
        try {
            applicationWriteAndPushBothKept(url);
        } finally {
            Databases.dropPostgresSchema(url);
        }
    }

    /**
     * The server application changes one field while a device pushes another. The application's transaction may
     * fail (the entity's optimistic lock, or the database breaking a deadlock) and is then retried, as an
     * application does; the push always gets an answer, and both edits end up in the record and in the log.
     */
    private static void applicationWriteAndPushBothKept(String url) throws Exception {
        EntityManagerFactory emf = Databases.open(url, Action.CREATE_DROP);
        JpaHubStore store = new JpaHubStore(emf);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (HubEngine hub = Tether.hub().store(store).conflictPolicy(ConflictPolicy.FIELD_MERGE).build().start()) {
            push(hub, "seed", 1, task("T0", 0), null, 0);
            for (int round = 1; round <= ROUNDS; round++) {
                HubRecord before = store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow();
                Map<String, Object> titled = new HashMap<>(before.data());
                titled.put("title", "A" + round);
                CyclicBarrier start = new CyclicBarrier(2);
                int r = round;
                Future<PushResult> device = pool.submit(() -> {
                    start.await();
                    return push(hub, "device-a", r, titled, List.of("title"), before.version());
                });
                Future<Integer> server = pool.submit(() -> {
                    start.await();
                    for (int attempt = 1; ; attempt++) {
                        try {
                            Jpa.tx(emf, em -> em.find(Task.class, "t1").priority = r);
                            return attempt;
                        } catch (RuntimeException e) {
                            if (attempt == 10) {
                                throw e;
                            }
                        }
                    }
                });
                PushResult result = device.get(60, TimeUnit.SECONDS);
                server.get(60, TimeUnit.SECONDS);
                HubRecord after = store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow();
                assertEquals("A" + round, after.data().get("title"), "round " + round + ": the push was lost ("
                        + result + ")");
                assertEquals(round, ((Number) after.data().get("priority")).intValue(), "round " + round
                        + ": the application's write was lost (" + result + ")");
                assertEquals(before.version() + 2, after.version(), "round " + round + ": two writes, two versions");
            }
        } finally {
            pool.shutdownNow();
            store.close();
            emf.close();
        }
    }

    private static void sentTwiceAppliedOnce(String url) throws Exception {
        EntityManagerFactory emf = Databases.open(url, Action.CREATE_DROP);
        JpaHubStore store = new JpaHubStore(emf);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (HubEngine hub = Tether.hub().store(store).conflictPolicy(ConflictPolicy.FIELD_MERGE).build().start()) {
            push(hub, "seed", 1, task("T0", 0), null, 0);
            for (int round = 1; round <= ROUNDS; round++) {
                long head = store.headVersion();
                long base = store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow().version();
                Map<String, Object> edited = task("T" + round, round);
                CyclicBarrier start = new CyclicBarrier(2);
                int r = round;
                List<Future<PushResult>> sends = List.of(
                        pool.submit(() -> {
                            start.await();
                            return push(hub, "device-a", r, edited, List.of("title", "priority"), base);
                        }),
                        pool.submit(() -> {
                            start.await();
                            return push(hub, "device-a", r, edited, List.of("title", "priority"), base);
                        }));
                List<PushResult> results = new java.util.ArrayList<>();
                for (Future<PushResult> f : sends) {
                    results.add(f.get(30, TimeUnit.SECONDS));
                }
                assertEquals(1, results.stream().filter(p -> p instanceof PushResult.Applied
                        || p instanceof PushResult.Merged).count(), "round " + round + ": " + results);
                assertEquals(1, results.stream().filter(PushResult.Duplicate.class::isInstance).count(),
                        "round " + round + ": " + results);
                assertEquals(head + 1, store.headVersion(), "round " + round + ": applied once");
            }
        } finally {
            pool.shutdownNow();
            store.close();
            emf.close();
        }
    }

    private static void simultaneousEditsAreBothKept(String url) throws Exception {
        EntityManagerFactory emf = Databases.open(url, Action.CREATE_DROP);
        JpaHubStore store = new JpaHubStore(emf);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (HubEngine hub = Tether.hub().store(store).conflictPolicy(ConflictPolicy.FIELD_MERGE).build().start()) {
            Map<String, Object> initial = task("T0", 0);
            push(hub, "seed", 1, initial, null, 0);
            for (int round = 1; round <= ROUNDS; round++) {
                long base = store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow().version();
                HubRecord before = store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow();
                Map<String, Object> titled = new HashMap<>(before.data());
                titled.put("title", "A" + round);
                Map<String, Object> prioritized = new HashMap<>(before.data());
                prioritized.put("priority", round);
                CyclicBarrier start = new CyclicBarrier(2);
                int r = round;
                Future<PushResult> a = pool.submit(() -> {
                    start.await();
                    return push(hub, "device-a", r, titled, List.of("title"), base);
                });
                Future<PushResult> b = pool.submit(() -> {
                    start.await();
                    return push(hub, "device-b", r, prioritized, List.of("priority"), base);
                });
                PushResult ra = a.get(30, TimeUnit.SECONDS);
                PushResult rb = b.get(30, TimeUnit.SECONDS);
                HubRecord after = store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow();
                assertEquals("A" + round, after.data().get("title"), "round " + round + ": the title edit was lost ("
                        + ra + ", " + rb + ")");
                assertEquals(round, ((Number) after.data().get("priority")).intValue(), "round " + round
                        + ": the priority edit was lost (" + ra + ", " + rb + ")");
                assertEquals(base + 2, after.version(), "two writes, two versions");
            }
        } finally {
            pool.shutdownNow();
            store.close();
            emf.close();
        }
    }

    private static PushResult push(HubEngine hub, String client, long seq, Map<String, Object> data,
                                   List<String> fields, long base) {
        List<PushResult> results = hub.service().push(ALICE, new PushRequest(client, List.of(new Change(
                Change.changeId(client, seq), "tasks", "t1", Operation.UPSERT, data, fields, base, null)))).results();
        assertEquals(1, results.size());
        return results.get(0);
    }

    private static Map<String, Object> task(String title, int priority) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", "t1");
        m.put("title", title);
        m.put("done", false);
        m.put("priority", priority);
        m.put("owner_id", "alice");
        return m;
    }
}
