package io.tether.sync.jpa;

import io.tether.sync.Operation;
import io.tether.sync.SyncRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.Role;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica's capture journal on a real database: application transactions append to it while the store folds
 * it into the outbox; a large transaction spans several journal rows; concurrent writers, folds and the engine
 * marking entries SENT lose nothing and fold nothing twice. Seeded: rerun a failure with {@code -Dtether.seed}.
 */
abstract class CaptureJournalKit {
    private static final Set<OutboxState> ALL = EnumSet.allOf(OutboxState.class);

    /** A JDBC URL of an empty database for this test. */
    abstract String url();

    @Test
    void aLargeTransactionSpansSeveralJournalRowsAndKeepsItsOrder() {
        EntityManagerFactory emf = Databases.open(url(), Action.CREATE_DROP);
        JpaReplicaStore store = new JpaReplicaStore(emf);
        store.open(new TestContext(Role.REPLICA));
        try {
            int n = 8_000;
            Jpa.tx(emf, em -> {
                for (int i = 0; i < n; i++) {
                    em.persist(new Task(String.format("t%05d", i), "task number " + i + " with a longer title", "alice"));
                }
            });
            assertTrue(journalRows(emf) >= 2, "8,000 changes exceed one journal row");
            List<OutboxEntry> outbox = store.outbox(ALL, n + 1);
            assertEquals(0, journalRows(emf), "the read folded the journal");
            assertEquals(n, outbox.size());
            for (int i = 0; i < n; i++) {
                OutboxEntry e = outbox.get(i);
                assertEquals(String.format("t%05d", i), e.id(), "outbox order is capture order");
                assertEquals(OutboxState.PENDING, e.state());
                assertEquals("task number " + i + " with a longer title", e.data().get("title"));
            }
        } finally {
            store.close();
            emf.close();
        }
    }

    /**
     * A push reads and marks its first batch with part of the journal folded; the rest waits until a later read or
     * push transaction needs it, and a push transaction that applies a record runs again with all of it folded.
     */
    @Test
    void aPushStartsBeforeTheJournalIsFoldedWhole() {
        EntityManagerFactory emf = Databases.open(url(), Action.CREATE_DROP);
        JpaReplicaStore store = new JpaReplicaStore(emf);
        store.open(new TestContext(Role.REPLICA));
        store.stopBackgroundFold();
        try {
            writeTasks(emf, 6);
            long rows = journalRows(emf);

            List<OutboxEntry> batch = store.outbox(ALL, Long.MIN_VALUE, 100);
            assertEquals(100, batch.size());
            assertEquals("t00000", batch.get(0).id());
            long afterRead = journalRows(emf);
            assertTrue(afterRead > 0 && afterRead < rows, afterRead + " of " + rows + " journal rows left");

            store.inPushTransaction(tx -> {
                batch.forEach(e -> tx.saveOutbox(e.withState(OutboxState.SENT, null)));
                assertEquals(List.of(), tx.outboxFor("tasks", "t11999"), "the last write is not folded yet");
                return null;
            });
            long afterMark = journalRows(emf);
            assertTrue(afterMark > 0 && afterMark < afterRead, afterMark + " of " + afterRead + " journal rows left");

            Map<String, Object> hubState = new java.util.LinkedHashMap<>(store.get("tasks", "t11999")
                    .orElseThrow().data());
            hubState.put("title", "from the hub");
            List<Long> runs = new ArrayList<>();
            store.inPushTransaction(tx -> {
                runs.add(journalRows(emf));
                tx.applyRemote("tasks", "t11999", hubState, 7);
                return null;
            });
            assertEquals(2, runs.size(), "run beside the journal, refused, run again with it folded");
            assertEquals(0, journalRows(emf));
            assertEquals("from the hub", store.get("tasks", "t11999").orElseThrow().data().get("title"));
            assertEquals(12_000, store.outboxCount(ALL), "every change folded once");
            assertEquals(100, store.outboxCount(EnumSet.of(OutboxState.SENT)));
        } finally {
            store.close();
            emf.close();
        }
    }

    /** Work that swallows the refusal to apply beside an unfolded journal is not committed, but run again. */
    @Test
    void aPushTransactionThatSwallowsTheRefusalRunsAgain() {
        EntityManagerFactory emf = Databases.open(url(), Action.CREATE_DROP);
        JpaReplicaStore store = new JpaReplicaStore(emf);
        store.open(new TestContext(Role.REPLICA));
        store.stopBackgroundFold();
        try {
            writeTasks(emf, 3);
            Map<String, Object> hubState = new java.util.LinkedHashMap<>(Map.of("id", "h1", "title", "from the hub",
                    "done", false, "owner_id", "alice"));
            List<Boolean> applied = new ArrayList<>();
            store.inPushTransaction(tx -> {
                try {
                    tx.applyRemote("tasks", "h1", hubState, 3);
                    applied.add(true);
                } catch (io.tether.sync.SyncException refused) {
                    applied.add(false); // and goes on as if nothing happened
                }
                return null;
            });
            assertEquals(List.of(false, true), applied, "refused beside the journal, then run again with it folded");
            assertEquals("from the hub", store.get("tasks", "h1").orElseThrow().data().get("title"));
            assertEquals(0, journalRows(emf));
        } finally {
            store.close();
            emf.close();
        }
    }

    @Test
    void concurrentWritersFoldsAndSendsLoseNothing() {
        Seeded.run(seed -> concurrently(seed, 4, 5, false, (emf, random, prefix) -> {
            for (int k = 0; k < 40; k++) {
                String id = prefix + random.nextInt(5);
                int op = random.nextInt(3);
                int pause = random.nextInt(4);
                Jpa.tx(emf, em -> {
                    Task t = em.find(Task.class, id);
                    if (t == null) {
                        em.persist(new Task(id, "new " + id, "alice"));
                    } else if (op == 0) {
                        em.remove(t);
                    } else {
                        t.title = "edit " + random.nextInt(1000);
                        t.priority = op;
                    }
                    em.flush();
                    sleep(pause);
                });
            }
        }));
    }

    /**
     * A push reading and marking batches beside a long unfolded journal while two writers commit large
     * transactions: changes folded after their record's entry was marked queue behind it, and each record's latest
     * entry holds its final state. Seeded.
     */
    @Test
    void pushesBesideALongUnfoldedJournalLoseNothing() {
        Seeded.run(seed -> concurrently(seed, 2, 1_000, true, (emf, random, prefix) -> {
            for (int k = 0; k < 6; k++) {
                List<Integer> order = new ArrayList<>(IntStream.range(0, 1_000).boxed().toList());
                Collections.shuffle(order, random);
                Jpa.tx(emf, em -> {
                    for (int i : order) { // every record once a transaction, in a random order
                        String id = prefix + i;
                        Task t = em.find(Task.class, id);
                        if (t == null) {
                            em.persist(new Task(id, "new " + id, "alice"));
                        } else if (random.nextInt(4) == 0) {
                            em.remove(t);
                        } else {
                            t.title = "edit " + random.nextInt(1000);
                        }
                    }
                });
            }
        }));
    }

    /** One writer thread's work on records {@code prefix + i}. */
    private interface Writer {
        void write(EntityManagerFactory emf, Random random, String prefix) throws Exception;
    }

    /**
     * Runs {@code writers} writer threads beside an engine thread ({@link #engine}), then checks every record
     * against its outbox entries. Beside the journal, the background fold is stopped and the engine starts once
     * the writers committed two transactions, so that more than a push transaction folds is waiting.
     */
    private void concurrently(long seed, int writers, int ids, boolean besideJournal, Writer writer) throws Exception {
        EntityManagerFactory emf = Databases.open(url(), Action.CREATE_DROP);
        JpaReplicaStore store = new JpaReplicaStore(emf);
        store.open(new TestContext(Role.REPLICA));
        if (besideJournal) {
            store.stopBackgroundFold();
        }
        try {
            Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Random random = new Random(seed * 31 + w);
                String prefix = "w" + w + "-";
                threads.add(new Thread(() -> {
                    try {
                        writer.write(emf, random, prefix);
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }, "writer-" + w));
            }
            Thread engine = engine(store, emf, new Random(seed), writing, errors, besideJournal);
            threads.forEach(Thread::start);
            if (besideJournal) {
                while (journalRows(emf) < 2 && threads.stream().anyMatch(Thread::isAlive)) {
                    sleep(5);
                }
            }
            engine.start();
            for (Thread w : threads) {
                w.join(120_000);
            }
            writing.set(false);
            engine.join(30_000);
            assertTrue(errors.isEmpty(), () -> "errors: " + errors);
            checkOutbox(store, emf, writers, ids);
        } finally {
            store.close();
            emf.close();
        }
    }

    /**
     * What the engine does while writers go on: read (folding), then mark some PENDING entries SENT. Beside the
     * journal, always as a push does it (reading and marking beside captures that may not be folded yet, batches of
     * 100), slower than the writers and on after them until the journal is folded; else half the time so, half in
     * plain transactions after a whole fold, batches of 10.
     */
    private static Thread engine(JpaReplicaStore store, EntityManagerFactory emf, Random random, AtomicBoolean writing,
                                 Queue<Throwable> errors, boolean besideJournal) {
        return new Thread(() -> {
            try {
                // beside the journal, on until the push transactions have folded all of it
                while (writing.get() || besideJournal && journalRows(emf) > 0) {
                    boolean asPush = besideJournal || random.nextBoolean();
                    List<OutboxEntry> head = asPush
                            ? store.outbox(EnumSet.of(OutboxState.PENDING), Long.MIN_VALUE, besideJournal ? 100 : 10)
                            : store.outbox(EnumSet.of(OutboxState.PENDING), 10);
                    Function<ReplicaTransaction, Void> mark = tx -> {
                        for (OutboxEntry e : head) {
                            // as the engine does: the entry as stored now (a write may have folded into it)
                            Optional<OutboxEntry> current = tx.outboxFor(e.collection(), e.id()).stream()
                                    .filter(c -> c.sequence() == e.sequence()).findFirst();
                            if (current.isPresent() && current.get().state() == OutboxState.PENDING
                                    && random.nextInt(3) == 0) {
                                tx.saveOutbox(current.get().withState(OutboxState.SENT, null));
                            }
                        }
                        return null;
                    };
                    if (asPush) {
                        store.inPushTransaction(mark);
                    } else {
                        store.inTransaction(mark);
                        store.outboxCount(ALL);
                    }
                    sleep(besideJournal && writing.get() ? 100 + random.nextInt(100) : random.nextInt(3));
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        }, "engine");
    }

    /** Folds what is left, then checks the records {@code w<writer>-<i>} against their outbox entries. */
    private static void checkOutbox(JpaReplicaStore store, EntityManagerFactory emf, int writers, int ids) {
        Map<String, List<OutboxEntry>> byRecord = store.outbox(ALL, 100_000).stream()
                .collect(Collectors.groupingBy(OutboxEntry::id));
        assertEquals(0, journalRows(emf));
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < ids; i++) {
                String id = "w" + w + "-" + i;
                checkRecord(id, store.get("tasks", id), byRecord.getOrDefault(id, List.of()));
            }
        }
    }

    /** The record's latest entry carries its final state; one PENDING at most, after every SENT one. */
    private static void checkRecord(String id, Optional<SyncRecord> now, List<OutboxEntry> entries) {
        List<OutboxEntry> sorted = entries.stream().sorted(Comparator.comparingLong(OutboxEntry::sequence)).toList();
        long pending = sorted.stream().filter(e -> e.state() == OutboxState.PENDING).count();
        assertTrue(pending <= 1, id + " has " + pending + " PENDING entries");
        if (pending == 1) {
            assertEquals(OutboxState.PENDING, sorted.get(sorted.size() - 1).state(), id + ": PENDING queues last");
        }
        if (sorted.isEmpty()) {
            assertTrue(now.isEmpty(), id + " exists but has no outbox entry");
            return;
        }
        OutboxEntry latest = sorted.get(sorted.size() - 1);
        if (now.isPresent()) {
            assertEquals(Operation.UPSERT, latest.op(), id);
            assertEquals(now.get().data(), latest.data(), id + ": the latest entry holds the final state");
        } else {
            assertEquals(Operation.DELETE, latest.op(), id + " is gone: its latest entry deletes it");
        }
    }

    /** Creates tasks {@code t00000} on in {@code transactions} transactions of 2,000, a journal row or more each. */
    private static void writeTasks(EntityManagerFactory emf, int transactions) {
        for (int t = 0; t < transactions; t++) {
            int first = t * 2_000;
            Jpa.tx(emf, em -> {
                for (int i = first; i < first + 2_000; i++) {
                    em.persist(new Task(String.format("t%05d", i), "task " + i, "alice"));
                }
            });
        }
    }

    private static long journalRows(EntityManagerFactory emf) {
        return Jpa.call(emf, em -> ((Number) em.createNativeQuery("select count(*) from tether_capture_journal")
                .getSingleResult()).longValue());
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
