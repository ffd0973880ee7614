package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Tether;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResult;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes of one record at the same moment on a Hibernate hub, on H2 and on PostgreSQL (skipped when it is not
 * reachable), 40 rounds each: two devices editing different fields from the same version both keep their edit
 * (field-merge), a change sent twice at once is applied once, and a push and the server application's own write
 * both take effect, however the transactions interleave.
 */
class ConcurrentPushTest {
    private static final Principal ALICE = Principal.of("alice");
    private static final int ROUNDS = 40;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void simultaneousEditsOfOneRecordAreBothKept(String database) throws Exception {
        race(database, (hub, store, emf, round, before) -> {
            Map<String, Object> titled = edit(before, "title", "A" + round);
            Map<String, Object> prioritized = edit(before, "priority", round);
            List<PushResult> results = atOnce(
                    () -> push(hub, "device-a", round, titled, List.of("title"), before.version()),
                    () -> push(hub, "device-b", round, prioritized, List.of("priority"), before.version()));
            HubRecord after = read(store);
            assertEquals("A" + round, after.data().get("title"), "round " + round + ": the title edit was lost "
                    + results);
            assertEquals(round, ((Number) after.data().get("priority")).intValue(), "round " + round
                    + ": the priority edit was lost " + results);
            assertEquals(before.version() + 2, after.version(), "two writes, two versions");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aChangeSentTwiceAtOnceIsAppliedOnce(String database) throws Exception {
        race(database, (hub, store, emf, round, before) -> {
            long head = store.headVersion();
            Map<String, Object> edited = edit(before, "title", "T" + round);
            Callable<PushResult> send = () -> push(hub, "device-a", round, edited, List.of("title"),
                    before.version());
            List<PushResult> results = atOnce(send, send);
            assertEquals(1, results.stream().filter(p -> p instanceof PushResult.Applied
                    || p instanceof PushResult.Merged).count(), "round " + round + ": " + results);
            assertEquals(1, results.stream().filter(PushResult.Duplicate.class::isInstance).count(),
                    "round " + round + ": " + results);
            assertEquals(head + 1, store.headVersion(), "round " + round + ": applied once");
        });
    }

    /**
     * The application's transaction may fail (the entity's optimistic lock) and is then retried, as an application
     * does; the push always gets an answer.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anApplicationWriteAndAPushAtOnceAreBothKept(String database) throws Exception {
        race(database, (hub, store, emf, round, before) -> {
            Map<String, Object> titled = edit(before, "title", "A" + round);
            List<Object> results = atOnce(
                    () -> push(hub, "device-a", round, titled, List.of("title"), before.version()),
                    () -> applicationWrite(emf, em -> em.find(Task.class, "t1").priority = round));
            HubRecord after = read(store);
            assertEquals("A" + round, after.data().get("title"), "round " + round + ": the push was lost " + results);
            assertEquals(round, ((Number) after.data().get("priority")).intValue(), "round " + round
                    + ": the application's write was lost " + results);
            assertEquals(before.version() + 2, after.version(), "two writes, two versions");
        });
    }

    /**
     * A push and the application creating one record at the same moment, a record deleted before (its tombstone's
     * metadata row exists) or a new one. They may take the rows in opposite orders (the push the tombstone's
     * metadata row, or the version counter, before its entity insert; the application its entity insert first), so
     * the database may break a deadlock between them: a push it picks is answered rate-limited and retried, as a
     * replica does; an application transaction it picks fails and is retried, as an application does. Either way
     * both writes land, or the push is answered conflict when the application's create came first.
     */
    @ParameterizedTest
    @CsvSource({"h2,deleted", "h2,new", "postgres,deleted", "postgres,new"})
    void aPushAndTheApplicationCreatingOneRecordAtOnceBothLand(String database, String record) throws Exception {
        // H2 ends such a deadlock only when a lock wait times out: 500 ms here, not the tests' usual 20 s
        race(database, Databases.h2Memory().replace("LOCK_TIMEOUT=20000", "LOCK_TIMEOUT=500"),
                (hub, store, emf, round, before) -> {
            String id = record.equals("deleted") ? "t1" : "n" + round;
            long base = record.equals("deleted") ? deleteT1(emf, store) : 0;
            long head = store.headVersion();
            Map<String, Object> created = new HashMap<>(Map.of("id", id, "title", "P" + round, "done", false,
                    "owner_id", "alice"));
            List<Object> results = atOnce(
                    () -> retried(attempt -> push(hub, "device-a", round, id, created, List.of("title"), base),
                            e -> e instanceof ProblemException p && p.type() == ProblemType.RATE_LIMITED),
                    () -> applicationWrite(emf, em -> {
                        Task t = em.find(Task.class, id);
                        if (t == null) {
                            t = new Task(id, "A" + round, "alice");
                            t.priority = round;
                            em.persist(t);
                        } else {
                            t.priority = round;
                        }
                    }));
            HubRecord after = store.inTransaction(tx -> tx.read("tasks", id)).orElseThrow();
            assertEquals(round, ((Number) after.data().get("priority")).intValue(), "round " + round
                    + ": the application's write was lost " + results);
            if (results.get(0) instanceof PushResult.Conflict) {
                // the application's create came first and wrote the title too: field-merge keeps the hub's
                assertEquals("A" + round, after.data().get("title"), "round " + round + ": " + results);
                assertEquals(head + 1, store.headVersion(), "round " + round + ": one write " + results);
            } else {
                assertTrue(results.get(0) instanceof PushResult.Applied
                        || results.get(0) instanceof PushResult.Merged, "round " + round + ": " + results);
                assertEquals("P" + round, after.data().get("title"), "round " + round + ": the push was lost "
                        + results);
                assertEquals(head + 2, store.headVersion(), "round " + round + ": two writes " + results);
            }
            assertEquals(store.headVersion(), after.version(), "round " + round + ": the last write is the record's");
        });
    }

    /**
     * Two devices each push edits of the same 300 records in one request, one in id order and the other in reverse, 5
     * rounds. The hub locks a push's records in id order however the request orders them (on H2 in lists of a few
     * dozen ids), so neither waits on the other in a cycle: both are applied at the first attempt, and every record
     * keeps both edits. A deadlock would show as a push answered rate-limited after H2's 2 s lock timeout.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void twoPushesOfManyRecordsInOppositeOrdersAreBothApplied(String database) throws Exception {
        onHub(database, Databases.h2Memory().replace("LOCK_TIMEOUT=20000", "LOCK_TIMEOUT=2000"), Map.of(),
                (hub, store, emf) -> {
            int count = 300;
            List<Change> seeds = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                seeds.add(new Change(Change.changeId("seed", 10 + i), "tasks", String.format("m%03d", i),
                        Operation.UPSERT, Map.of("id", String.format("m%03d", i), "title", "T", "done", false,
                        "priority", 0, "owner_id", "alice"), null, 0L, null));
            }
            hub.service().push(ALICE, new PushRequest("seed", seeds));
            for (int round = 1; round <= 5; round++) {
                int r = round;
                List<Change> titles = new ArrayList<>();
                List<Change> priorities = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String id = String.format("m%03d", i);
                    HubRecord before = store.inTransaction(tx -> tx.read("tasks", id)).orElseThrow();
                    titles.add(new Change(Change.changeId("device-a", r * 1000L + i), "tasks", before.id(),
                            Operation.UPSERT, edit(before, "title", "A" + r), List.of("title"), before.version(),
                            null));
                    priorities.add(0, new Change(Change.changeId("device-b", r * 1000L + i), "tasks", before.id(),
                            Operation.UPSERT, edit(before, "priority", r), List.of("priority"), before.version(),
                            null));
                }
                List<List<PushResult>> results = atOnce(
                        () -> hub.service().push(ALICE, new PushRequest("device-a", titles)).results(),
                        () -> hub.service().push(ALICE, new PushRequest("device-b", priorities)).results());
                for (List<PushResult> answer : results) {
                    assertEquals(count, answer.stream().filter(p -> p instanceof PushResult.Applied
                            || p instanceof PushResult.Merged).count(), "round " + r + ": " + answer);
                }
                for (int i = 0; i < count; i++) {
                    String id = String.format("m%03d", i);
                    Map<String, Object> after = store.inTransaction(tx -> tx.read("tasks", id)).orElseThrow().data();
                    assertEquals("A" + r, after.get("title"), "round " + r + ", " + id);
                    assertEquals(r, ((Number) after.get("priority")).intValue(), "round " + r + ", " + id);
                }
            }
        });
    }

    /** H2 with its own 300 ms lock timeout; PostgreSQL, which waits without limit, with the store's 300 ms. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aPushThatWaitsTooLongForARecordIsAnsweredRateLimitedAndAppliesNothing(String database) throws Exception {
        onHub(database, Databases.h2Memory().replace("LOCK_TIMEOUT=20000", "LOCK_TIMEOUT=300"),
                Map.of("jakarta.persistence.lock.timeout", 300), ConcurrentPushTest::waitsTooLong);
    }

    private static void waitsTooLong(HubEngine hub, JpaHubStore store, EntityManagerFactory emf) throws Exception {
        long head = store.headVersion();
        Map<String, Object> edited = edit(read(store), "title", "T1");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> holder = pool.submit(() -> store.inTransaction(tx -> {
                tx.prefetch("tasks", List.of("t1")); // takes the record's locks, as a push does
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertTrue(held.await(10, TimeUnit.SECONDS));
            ProblemException busy = assertThrows(ProblemException.class,
                    () -> push(hub, "device-a", 1, edited, List.of("title"), head));
            assertEquals(ProblemType.RATE_LIMITED, busy.type(), busy.getMessage());
            assertEquals(head, store.headVersion(), "nothing was applied");
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            assertInstanceOf(PushResult.Applied.class, push(hub, "device-a", 1, edited, List.of("title"),
                    head), "the retry is applied");
        } finally {
            pool.shutdownNow();
        }
    }

    /** One round of a race, given the record as it was before the round. */
    private interface Round {
        void run(HubEngine hub, JpaHubStore store, EntityManagerFactory emf, int round, HubRecord before)
                throws Exception;
    }

    /** Work on a hub whose database holds task t1. */
    private interface OnHub {
        void run(HubEngine hub, JpaHubStore store, EntityManagerFactory emf) throws Exception;
    }

    /** {@value #ROUNDS} rounds of the race on a hub over a fresh database of the kind named. */
    private static void race(String database, Round round) throws Exception {
        race(database, Databases.h2Memory(), round);
    }

    /** The race on PostgreSQL, or on H2 at {@code h2Url}. */
    private static void race(String database, String h2Url, Round round) throws Exception {
        onHub(database, h2Url, Map.of(), (hub, store, emf) -> {
            for (int r = 1; r <= ROUNDS; r++) {
                round.run(hub, store, emf, r, read(store));
            }
        });
    }

    /**
     * A field-merge hub holding task t1, over a fresh database: a schema of its own on PostgreSQL (dropped after), or
     * H2 at {@code h2Url}; {@code properties} go to the persistence unit.
     */
    private static void onHub(String database, String h2Url, Map<String, Object> properties, OnHub work)
            throws Exception {
        boolean postgres = database.equals("postgres");
        String url = postgres ? Databases.postgresSchema(ConcurrentPushTest.class) : h2Url;
        try {
            EntityManagerFactory emf = Databases.open(url, Action.CREATE_DROP, properties);
            JpaHubStore store = new JpaHubStore(emf);
            try (HubEngine hub = Tether.hub().store(store).conflictPolicy(ConflictPolicy.FIELD_MERGE).build()
                    .start()) {
                Map<String, Object> t1 = new HashMap<>(Map.of("id", "t1", "title", "T0", "done", false, "priority",
                        0, "owner_id", "alice"));
                push(hub, "seed", 1, t1, null, 0);
                work.run(hub, store, emf);
            } finally {
                store.close();
                emf.close();
            }
        } finally {
            if (postgres) {
                Databases.dropPostgresSchema(url);
            }
        }
    }

    /**
     * The application's transaction, retried when it fails (an optimistic lock, a deadlock the database broke), as an
     * application does; says how many attempts it took.
     */
    private static String applicationWrite(EntityManagerFactory emf, Consumer<EntityManager> work) {
        return retried(attempt -> {
            Jpa.tx(emf, work);
            return "written in " + attempt + " attempts";
        }, e -> true);
    }

    /**
     * Calls {@code call} with the attempt's number until it returns, retrying a failure that {@code retryable} accepts,
     * up to ten attempts.
     */
    private static <T> T retried(IntFunction<T> call, Predicate<RuntimeException> retryable) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.apply(attempt);
            } catch (RuntimeException e) {
                if (attempt == 10 || !retryable.test(e)) {
                    throw e;
                }
            }
        }
    }

    /** Runs the calls on threads of their own, released together; returns their results in order. */
    @SafeVarargs
    private static <T> List<T> atOnce(Callable<? extends T>... calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.length);
        try {
            CyclicBarrier start = new CyclicBarrier(calls.length);
            List<Future<? extends T>> running = new ArrayList<>();
            for (Callable<? extends T> call : calls) {
                running.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<? extends T> f : running) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Deletes t1 through the application; returns its tombstone's version. */
    private static long deleteT1(EntityManagerFactory emf, JpaHubStore store) {
        Jpa.tx(emf, em -> em.remove(em.find(Task.class, "t1")));
        HubRecord tomb = read(store);
        assertTrue(tomb.deleted(), "deleted first");
        return tomb.version();
    }

    private static HubRecord read(JpaHubStore store) {
        return store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow();
    }

    private static Map<String, Object> edit(HubRecord record, String field, Object value) {
        Map<String, Object> data = new HashMap<>(record.data());
        data.put(field, value);
        return data;
    }

    private static PushResult push(HubEngine hub, String client, long seq, Map<String, Object> data,
                                   List<String> fields, long base) {
        return push(hub, client, seq, "t1", data, fields, base);
    }

    private static PushResult push(HubEngine hub, String client, long seq, String id, Map<String, Object> data,
                                   List<String> fields, long base) {
        List<PushResult> results = hub.service().push(ALICE, new PushRequest(client, List.of(new Change(
                Change.changeId(client, seq), "tasks", id, Operation.UPSERT, data, fields, base, null)))).results();
        assertEquals(1, results.size());
        return results.get(0);
    }
}
