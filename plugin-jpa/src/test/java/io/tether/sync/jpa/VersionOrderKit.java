package io.tether.sync.jpa;

import io.tether.sync.Operation;
import io.tether.sync.spi.HubWrite;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.ScopeSet;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub's versions follow commit order on a real database: 8 writers commit in random order (random sleeps
 * inside their transactions, through both the application's own writes and pushed writes) while pullers read
 * continuously with {@code headVersion()} then {@code changesSince}; every puller must see every version exactly
 * once, in order, with no gap, and every committed write. Seeded: rerun a failure with {@code -Dtether.seed=<seed>}.
 */
abstract class VersionOrderKit {
    private static final int WRITERS = 8;
    private static final int TRANSACTIONS_PER_WRITER = 30;
    private static final int PULLERS = 3;
    private static final PullFilter ALL = new PullFilter(Map.of("tasks", ScopeSet.ALL));

    /** A JDBC URL of an empty database for this test. */
    abstract String url();

    @Test
    void everyCommittedChangeReachesEveryPullerInVersionOrderWithoutGaps() {
        Seeded.run(this::run);
    }

    private void run(long seed) throws Exception {
        EntityManagerFactory emf = Databases.open(url(), Action.CREATE_DROP);
        JpaHubStore store = new JpaHubStore(emf);
        store.open(new TestContext(Role.HUB));
        try {
            Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
            Set<String> committed = ConcurrentHashMap.newKeySet();
            AtomicInteger commits = new AtomicInteger();
            AtomicBoolean writing = new AtomicBoolean(true);
            CountDownLatch start = new CountDownLatch(1);

            List<Puller> pullers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < PULLERS; p++) {
                Puller puller = new Puller(store, writing, errors);
                pullers.add(puller);
                threads.add(new Thread(puller, "puller-" + p));
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Random random = new Random(seed * 31 + w);
                writers.add(new Thread(() -> {
                    try {
                        start.await();
                        for (int k = 0; k < TRANSACTIONS_PER_WRITER; k++) {
                            String id = "w" + writer + "-" + (k % 4);
                            String title = "w" + writer + "-t" + k;
                            if (random.nextBoolean()) {
                                int before = random.nextInt(6);
                                int after = random.nextInt(12);
                                Jpa.tx(emf, em -> {
                                    sleep(before);
                                    Task t = em.find(Task.class, id);
                                    if (t == null) {
                                        em.persist(new Task(id, title, "alice"));
                                    } else {
                                        t.title = title;
                                    }
                                    em.flush();
                                    sleep(after);
                                });
                            } else {
                                int before = random.nextInt(6);
                                int after = random.nextInt(4);
                                store.inTransaction(tx -> {
                                    sleep(before);
                                    tx.write(new HubWrite("tasks", id, Operation.UPSERT,
                                            Map.of("id", id, "title", title, "done", false, "owner_id", "alice"),
                                            "alice", Set.of("title"), null));
                                    sleep(after);
                                    return null;
                                });
                            }
                            committed.add(title);
                            commits.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }, "writer-" + w));
            }
            threads.addAll(writers);
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread w : writers) {
                w.join(120_000);
            }
            writing.set(false);
            for (Thread t : threads) {
                t.join(120_000);
            }
            if (!errors.isEmpty()) {
                AssertionError e = new AssertionError(errors.size() + " thread(s) failed: " + errors.peek());
                errors.forEach(e::addSuppressed);
                throw e;
            }
            long head = store.headVersion();
            assertEquals(commits.get(), head, "one version per committed transaction");
            for (Puller puller : pullers) {
                assertEquals(head, puller.cursor, "a puller ends at the head");
                assertEquals(head, puller.delivered, "a puller saw every version exactly once");
                assertTrue(puller.titles.containsAll(committed), "a puller saw every committed write");
                assertTrue(puller.pulls > 5, "pullers read while writers were committing");
            }
        } finally {
            store.close();
            emf.close();
        }
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pulls like the hub logic does: read head first, then the changes up to it. */
    private static final class Puller implements Runnable {
        private final JpaHubStore store;
        private final AtomicBoolean writing;
        private final Queue<Throwable> errors;
        final Set<String> titles = ConcurrentHashMap.newKeySet();
        volatile long cursor;
        volatile long delivered;
        volatile int pulls;

        Puller(JpaHubStore store, AtomicBoolean writing, Queue<Throwable> errors) {
            this.store = store;
            this.writing = writing;
            this.errors = errors;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    boolean last = !writing.get();
                    long head = store.headVersion();
                    while (cursor < head) {
                        List<LogEntry> page = store.changesSince(cursor, head, 7, ALL);
                        pulls++;
                        if (page.isEmpty()) {
                            throw new AssertionError("no entries in (" + cursor + ", " + head + "]: a gap");
                        }
                        for (LogEntry e : page) {
                            if (e.version() != cursor + 1) {
                                throw new AssertionError("after version " + cursor + " came " + e.version()
                                        + ": version(s) skipped");
                            }
                            cursor = e.version();
                            delivered++;
                            titles.add(String.valueOf(e.data().get("title")));
                        }
                    }
                    if (last) {
                        return;
                    }
                    Thread.sleep(1);
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        }
    }
}
