package io.tether.sync.jpa;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.Role;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.Session;
import org.hibernate.StatelessSession;
import org.hibernate.SessionFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JpaReplicaStoreTest {
    private static final Set<OutboxState> ALL = EnumSet.allOf(OutboxState.class);

    private EntityManagerFactory emf;
    private JpaReplicaStore store;
    private TestContext context;

    @BeforeEach
    void open() {
        emf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
        store = new JpaReplicaStore(emf);
        context = new TestContext(Role.REPLICA);
        store.open(context);
    }

    @AfterEach
    void close() {
        store.close();
        emf.close();
    }

    private List<OutboxEntry> outbox() {
        return store.outbox(ALL, 100);
    }

    @Test
    void committedInsertIsInTheOutboxWithColumnNamesAndPublishedAfterCommit() {
        Jpa.tx(emf, em -> {
            em.persist(new Project("p1", "Home", "alice"));
            Task t = new Task("t1", "Buy milk", "alice");
            t.project = em.getReference(Project.class, "p1");
            t.priority = 2;
            t.due = Instant.parse("2026-01-02T03:04:05Z");
            t.localNote = "private";
            em.persist(t);
        });
        List<OutboxEntry> entries = outbox();
        assertEquals(2, entries.size());
        OutboxEntry task = entries.stream().filter(e -> e.collection().equals("tasks")).findFirst().orElseThrow();
        assertEquals(OutboxState.PENDING, task.state());
        assertEquals(Operation.UPSERT, task.op());
        assertNull(task.fields(), "an insert changes all fields");
        assertEquals(0, task.baseVersion());
        assertEquals(store.clientId() + ":" + String.format("%012d", task.sequence()), task.changeId());
        Map<String, Object> data = task.data();
        assertEquals("t1", data.get("id"));
        assertEquals("Buy milk", data.get("title"));
        assertEquals(false, data.get("done"));
        assertEquals(2L, data.get("priority"));
        assertEquals("2026-01-02T03:04:05Z", data.get("due"));
        assertEquals("p1", data.get("project_id"));
        assertEquals("alice", data.get("owner_id"));
        assertFalse(data.containsKey("localNote"), "@NotSynced fields stay out");
        assertFalse(data.containsKey("revision"), "the @Version attribute stays out");

        assertEquals(1, context.batches.size());
        ChangeBatch batch = context.batches.get(0);
        assertEquals(Origin.LOCAL, batch.origin());
        assertEquals(List.of("p1", "t1"), batch.changes().stream().map(ChangeEvent::id).toList());
    }

    @Test
    void rolledBackTransactionLeavesNoOutboxEntryAndNoEvent() {
        Jpa.rolledBack(emf, em -> em.persist(new Task("t1", "Never", "alice")));
        assertEquals(0, store.outboxCount(ALL));
        assertTrue(context.batches.isEmpty());
        assertTrue(store.get("tasks", "t1").isEmpty());
    }

    @Test
    void editsOfOneRecordCoalesceIntoItsPendingEntry() {
        Jpa.tx(emf, em -> em.persist(new Task("t1", "Draft", "alice")));
        store.inTransaction(tx -> {
            tx.setVersion("tasks", "t1", 7);
            OutboxEntry e = tx.outboxFor("tasks", "t1").get(0);
            tx.saveOutbox(e.withBaseVersion(7));
            tx.removeOutbox(e.sequence());
            tx.saveOutbox(new OutboxEntry(e.sequence(), e.changeId(), "tasks", "t1", Operation.UPSERT, e.data(),
                    Set.of("title"), 7, e.hlc(), OutboxState.PENDING, null));
            return null;
        });
        Jpa.tx(emf, em -> em.find(Task.class, "t1").done = true);
        Jpa.tx(emf, em -> em.find(Task.class, "t1").priority = 5);
        List<OutboxEntry> entries = outbox();
        assertEquals(1, entries.size(), "one PENDING entry per record");
        OutboxEntry e = entries.get(0);
        assertEquals(Set.of("title", "done", "priority"), e.fields());
        assertEquals(7, e.baseVersion());
        assertEquals(true, e.data().get("done"));
        assertEquals(5L, e.data().get("priority"));
    }

    @Test
    void changesInOneTransactionAreMergedPerRecord() {
        Jpa.tx(emf, em -> {
            Task t = new Task("t1", "One", "alice");
            em.persist(t);
            em.flush();
            t.title = "Two";
            em.flush();
            t.done = true;
        });
        assertEquals(1, outbox().size());
        assertEquals("Two", outbox().get(0).data().get("title"));
        assertEquals(1, context.batches.get(0).changes().size());
    }

    @Test
    void recordCreatedAndDeletedBeforeItWasSentLeavesNoEntry() {
        Jpa.tx(emf, em -> em.persist(new Task("t1", "Oops", "alice")));
        Jpa.tx(emf, em -> em.remove(em.find(Task.class, "t1")));
        assertEquals(0, store.outboxCount(ALL));
        Jpa.tx(emf, em -> {
            em.persist(new Task("t2", "Same tx", "alice"));
            em.flush();
            em.remove(em.find(Task.class, "t2"));
        });
        assertEquals(0, store.outboxCount(ALL));
    }

    @Test
    void aTransactionMixingDeletesWithOtherWritesFoldsEachOfThem() {
        Jpa.tx(emf, em -> {
            em.persist(new Task("t1", "One", "alice"));
            em.persist(new Task("t2", "Two", "alice"));
        });
        List<OutboxEntry> created = outbox();
        store.inTransaction(tx -> {
            created.forEach(e -> tx.saveOutbox(e.withState(OutboxState.SENT, null))); // as if pushed
            return null;
        });
        Jpa.tx(emf, em -> {
            em.remove(em.find(Task.class, "t1"));
            em.find(Task.class, "t2").title = "Two, renamed";
            em.persist(new Task("t3", "Three", "alice"));
        });

        List<OutboxEntry> pending = store.outbox(EnumSet.of(OutboxState.PENDING), 100);
        assertEquals(Set.of("t1", "t2", "t3"), Set.copyOf(pending.stream().map(OutboxEntry::id).toList()));
        for (OutboxEntry e : pending) {
            switch (e.id()) {
                case "t1" -> {
                    assertEquals(Operation.DELETE, e.op());
                    assertNull(e.data());
                }
                case "t2" -> assertEquals("Two, renamed", e.data().get("title"));
                default -> assertEquals("Three", e.data().get("title"));
            }
        }
    }

    @Test
    void writeToRecordWithSentEntryQueuesSecondEntryBehindIt() {
        Jpa.tx(emf, em -> em.persist(new Task("t1", "First", "alice")));
        OutboxEntry first = outbox().get(0);
        store.inTransaction(tx -> {
            tx.saveOutbox(first.withState(OutboxState.SENT, null));
            return null;
        });
        Jpa.tx(emf, em -> em.find(Task.class, "t1").title = "Second");
        List<OutboxEntry> entries = outbox();
        assertEquals(2, entries.size());
        assertEquals(OutboxState.SENT, entries.get(0).state());
        assertEquals(OutboxState.PENDING, entries.get(1).state());
        assertTrue(entries.get(1).sequence() > first.sequence());
        assertEquals(Set.of("title"), entries.get(1).fields());
    }

    @Test
    void remoteAppliesGoThroughEntitiesAreNotCapturedAndCommitWithTheCursor() {
        store.inTransaction(tx -> {
            tx.applyRemote("projects", "p1", Map.of("id", "p1", "name", "Work", "owner_id", "bob"), 3);
            tx.applyRemote("tasks", "t1", Map.of("id", "t1", "title", "Remote", "done", true, "project_id", "p1",
                    "owner_id", "bob"), 4);
            tx.setCursor("c-4");
            return null;
        });
        assertEquals(0, store.outboxCount(ALL), "remote applies are never captured (no echo)");
        assertEquals("c-4", store.cursor().orElseThrow());
        Task t = Jpa.call(emf, em -> em.find(Task.class, "t1"));
        assertEquals("Remote", t.title);
        assertEquals(4, store.get("tasks", "t1").orElseThrow().version());
        assertEquals(1, context.batches.size());
        assertEquals(Origin.REMOTE, context.batches.get(0).origin());
        assertEquals(List.of(3L, 4L), context.batches.get(0).changes().stream().map(ChangeEvent::version).toList());

        store.inTransaction(tx -> {
            tx.applyRemote("tasks", "t1", null, 5);
            return null;
        });
        assertTrue(store.get("tasks", "t1").isEmpty());
        assertEquals(5, store.inTransaction(tx -> tx.read("tasks", "t1")).orElseThrow().version(),
                "a remote delete leaves a tombstone with its version");
        assertEquals(0, store.outboxCount(ALL));
    }

    @Test
    void failedApplyRollsBackRecordsAndCursorTogether() {
        assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> {
            tx.applyRemote("tasks", "t1", Map.of("id", "t1", "title", "Remote", "owner_id", "bob"), 4);
            tx.setCursor("c-4");
            throw new IllegalStateException("crash mid-page");
        }));
        assertTrue(store.cursor().isEmpty());
        assertTrue(store.get("tasks", "t1").isEmpty());
        assertTrue(context.batches.isEmpty());
    }

    @Test
    void aResyncRemovesWhatNoPageRefreshedAcrossChunksAndEntitiesTetherNeverVersioned() {
        int synced = 12_345; // more than one chunk of the walk over entity ids
        store.inTransaction(tx -> {
            for (int i = 0; i < synced; i++) {
                String id = String.format("s%05d", i);
                tx.applyRemote("tasks", id, Map.of("id", id, "title", "S", "owner_id", "alice"), i + 1);
            }
            tx.setCursor("c-" + synced);
            return null;
        });
        Jpa.tx(emf, em -> em.persist(new Task("local", "L", "alice")));
        // a row Tether never versioned and that has no outbox entry (written before the store was attached)
        Jpa.tx(emf, em -> em.createNativeQuery("insert into Task (id, title, owner_id, done, revision) values "
                + "('preexisting', 'P', 'alice', false, 0)").executeUpdate());
        context.batches.clear();

        store.inTransaction(tx -> {
            tx.beginResync();
            return null;
        });
        assertEquals(-1, store.inTransaction(tx -> tx.read("tasks", "s00000")).orElseThrow().version(),
                "marked stale, data kept");
        assertEquals("S", store.get("tasks", "s00000").orElseThrow().data().get("title"));
        assertTrue(context.batches.isEmpty(), "marking records stale changes nothing a listener sees");
        store.inTransaction(tx -> { // the resync's pages refresh every other record
            for (int i = 0; i < synced; i += 2) {
                String id = String.format("s%05d", i);
                tx.applyRemote("tasks", id, Map.of("id", id, "title", "S", "owner_id", "alice"), i + 1);
            }
            return null;
        });
        int gone = synced / 2 + 1; // the odd ones, and the row never versioned
        int removed = 0;
        int calls = 0;
        for (int n; (n = store.inTransaction(tx -> tx.finishResync(1000))) > 0; calls++) {
            removed += n;
        }
        assertEquals(gone, removed);
        assertEquals(gone / 1000 + 1, calls, "at most 1000 a transaction");
        assertEquals(synced - synced / 2 + 1, store.count("tasks"), "the refreshed records and the local one stay");
        var tomb = store.inTransaction(tx -> tx.read("tasks", "s00001")).orElseThrow();
        assertTrue(tomb.deleted() && tomb.version() == -2, "a stale tombstone: " + tomb);
        assertTrue(store.get("tasks", "preexisting").isEmpty());
        assertTrue(store.get("tasks", "local").isPresent(), "a record with an outbox entry is kept");
        assertEquals(gone, context.batches.stream().mapToLong(b -> b.changes().stream()
                .filter(e -> e.op() == Operation.DELETE).count()).sum(), "each removal is told to listeners");
        assertEquals(1, store.outboxCount(ALL), "a resync captures nothing");
        assertEquals(0, (int) store.inTransaction(tx -> tx.finishResync(1000)), "the resync is over");
    }

    @Test
    void appListenerStyleEntityIsCapturedThroughTheSamePath() {
        Jpa.tx(emf, em -> em.persist(new Note("n1", "hello")));
        Jpa.tx(emf, em -> em.find(Note.class, "n1").text = "hello again");
        List<OutboxEntry> entries = outbox();
        assertEquals(1, entries.size());
        assertEquals("note", entries.get(0).collection());
        assertEquals("hello again", entries.get(0).data().get("text"));
    }

    @Test
    void aLocalWriteOfARecordTooLargeToSyncFailsAndCapturesNothing() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> Jpa.tx(emf, em -> em.persist(new Note("n1", "n".repeat(1_100_000)))));
        String messages = causes(e);
        assertTrue(messages.contains("note/n1") && messages.contains("could never be pushed"), messages);
        assertNull(Jpa.call(emf, em -> em.find(Note.class, "n1")), "the application's write was rolled back");
        assertEquals(0, store.outboxCount(ALL));
    }

    private static String causes(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append('\n');
        }
        return out.toString();
    }

    @Test
    void unsyncedEntitiesAreNotCaptured() {
        Jpa.tx(emf, em -> em.persist(new Plain("x", "y")));
        assertEquals(0, store.outboxCount(ALL));
        assertTrue(context.batches.isEmpty());
    }

    @Test
    void bulkUpdateIsCapturedThroughRecordWrite() {
        Jpa.tx(emf, em -> em.persist(new Task("t1", "Old", "alice")));
        store.inTransaction(tx -> {
            OutboxEntry e = tx.outboxFor("tasks", "t1").get(0);
            tx.removeOutbox(e.sequence());
            tx.setVersion("tasks", "t1", 9);
            return null;
        });
        Jpa.tx(emf, em -> {
            em.createQuery("update Task t set t.title = 'Bulk' where t.id = 't1'").executeUpdate();
            store.recordWrite(em.unwrap(Session.class), Task.class, "t1");
        });
        OutboxEntry e = outbox().get(0);
        assertEquals("Bulk", e.data().get("title"));
        assertEquals(9, e.baseVersion());
        assertNull(e.fields());
    }

    @Test
    void statelessSessionWritesAreCaptured() {
        SessionFactory sf = emf.unwrap(SessionFactory.class);
        try (StatelessSession s = sf.openStatelessSession()) {
            s.beginTransaction();
            s.insert(new Task("t1", "Stateless", "alice"));
            s.getTransaction().commit();
        }
        assertEquals("Stateless", outbox().get(0).data().get("title"));
    }

    @Test
    void vetoingHookRollsBackTheWrite() {
        context.veto = w -> w.id().equals("bad");
        assertThrows(RuntimeException.class, () -> Jpa.tx(emf, em -> em.persist(new Task("bad", "No", "alice"))));
        assertEquals(0, store.outboxCount(ALL));
        assertTrue(store.get("tasks", "bad").isEmpty());
        assertTrue(context.batches.isEmpty());
    }

    @Test
    void putAndDeleteThroughTheRecordWriterAreCaptured() {
        store.put("tasks", "t1", Map.of("id", "t1", "title", "Put", "done", false, "owner_id", "alice"));
        assertEquals("Put", store.get("tasks", "t1").orElseThrow().data().get("title"));
        assertEquals(1, store.outboxCount(ALL));
        store.delete("tasks", "t1");
        assertEquals(0, store.outboxCount(ALL), "created and deleted before sent");
        assertEquals(0, store.count("tasks"));
    }

    @Test
    void schemaComesFromTheMetamodel() {
        CollectionSchema tasks = store.schema().collection("tasks").orElseThrow();
        assertEquals(1, store.schema().version());
        assertEquals("id", tasks.idField());
        assertEquals("owner_id", tasks.scopeField());
        assertEquals(FieldType.STRING, type(tasks, "title"));
        assertFalse(tasks.field("title").orElseThrow().nullable());
        assertEquals(FieldType.BOOLEAN, type(tasks, "done"));
        assertEquals(FieldType.INTEGER, type(tasks, "priority"));
        assertEquals(FieldType.TIMESTAMP, type(tasks, "due"));
        assertEquals(FieldType.STRING, type(tasks, "project_id"));
        assertTrue(tasks.field("localNote").isEmpty());
        assertTrue(tasks.field("revision").isEmpty());
        assertEquals(Set.of("projects", "tasks", "note"),
                Set.copyOf(store.collections().stream().map(CollectionSchema::name).toList()));
        assertEquals(3, new JpaReplicaStoreSchemaVersion().version(emf));
    }

    private static FieldType type(CollectionSchema c, String field) {
        return c.field(field).map(FieldSchema::type).orElseThrow(() -> new AssertionError("no field " + field));
    }

    /** A second store on the same factory with schema version 3 (after detaching the first). */
    private final class JpaReplicaStoreSchemaVersion {
        int version(EntityManagerFactory factory) {
            store.close();
            try (JpaReplicaStore other = new JpaReplicaStore(factory, 3)) {
                return other.schema().version();
            } finally {
                store = new JpaReplicaStore(factory);
                store.open(context);
            }
        }
    }

    @Test
    void theJournalIsFoldedInTheBackgroundOnceWritesPause() throws InterruptedException {
        for (int i = 1; i <= 3; i++) {
            String id = "t" + i;
            Jpa.tx(emf, em -> em.persist(new Task(id, "Task " + id, "alice")));
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (Jpa.rows(emf, "tether_capture_journal") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, Jpa.rows(emf, "tether_capture_journal"), "folded without any outbox read");
        assertEquals(3, Jpa.rows(emf, "tether_outbox"));
        assertEquals(List.of("t1", "t2", "t3"), outbox().stream().map(OutboxEntry::id).toList());
    }

    @Test
    void aJournalRowInTheEarlierOneObjectFormStillFolds() {
        // rows written before each change took two lines (header, record) hold one JSON object of all changes
        Jpa.tx(emf, em -> em.createNativeQuery("insert into tether_capture_journal (first_sequence, changes) values "
                + "(1000, '{\"changes\":[{\"c\":\"tasks\",\"i\":\"t9\",\"o\":\"upsert\",\"d\":{\"id\":\"t9\","
                + "\"title\":\"Old row\",\"done\":true,\"owner_id\":\"alice\"},\"f\":null,"
                + "\"h\":\"0000000000001-0000-x\"}]}')").executeUpdate());

        OutboxEntry entry = outbox().get(0);
        assertEquals(1000, entry.sequence());
        assertEquals("t9", entry.id());
        assertEquals(Map.of("id", "t9", "title", "Old row", "done", true, "owner_id", "alice"), entry.data());
        assertEquals(0, Jpa.rows(emf, "tether_capture_journal"));
    }

    // ---- what a transaction passes on to the next (the versions and outbox entries of the records it prefetched)

    private static OutboxEntry sentEntry(long sequence, String id) {
        return new OutboxEntry(sequence, "c:" + sequence, "tasks", id, Operation.UPSERT,
                Map.of("id", id, "title", "Sent", "done", false, "owner_id", "alice"), null, 0, "0000000000001-0000-x",
                OutboxState.SENT, null);
    }

    private List<OutboxEntry> prefetchedOutbox(JpaReplicaStore on, String id) {
        return on.inTransaction(tx -> {
            tx.prefetch("tasks", List.of(id));
            return tx.outboxFor("tasks", id);
        });
    }

    @Test
    void whatOneTransactionLeavesIsWhatTheNextFindsForTheSameRecords() {
        store.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t1", "t2"));
            tx.saveOutbox(sentEntry(900, "t1"));
            tx.saveOutbox(sentEntry(901, "t2"));
            return null;
        });
        store.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t1", "t2"));
            assertEquals(List.of(sentEntry(900, "t1")), tx.outboxFor("tasks", "t1"));
            tx.removeOutbox(900);
            tx.setVersion("tasks", "t1", 5);
            tx.saveOutbox(sentEntry(901, "t2").withBaseVersion(3));
            return null;
        });
        store.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t1", "t2"));
            assertEquals(List.of(), tx.outboxFor("tasks", "t1"));
            assertEquals(5, tx.version("tasks", "t1"));
            assertEquals(List.of(sentEntry(901, "t2").withBaseVersion(3)), tx.outboxFor("tasks", "t2"));
            return null;
        });
        assertEquals(List.of(sentEntry(901, "t2").withBaseVersion(3)), outbox(), "as stored");
    }

    /** A transaction that leaves t1 with a SENT entry (sequence 900), which it passes on to the next. */
    private void sendT1(JpaReplicaStore on) {
        on.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t1"));
            tx.saveOutbox(sentEntry(900, "t1"));
            return null;
        });
    }

    @Test
    void aLocalWriteFoldedSinceTheLastTransactionIsSeenByTheNext() {
        sendT1(store);
        Jpa.tx(emf, em -> em.persist(new Task("t1", "Local", "alice")));
        List<OutboxEntry> seen = prefetchedOutbox(store, "t1");
        assertEquals(2, seen.size(), "the capture folded by this transaction, queued behind the sent entry");
        assertEquals("Local", seen.get(1).data().get("title"));
    }

    @Test
    void aRolledBackTransactionPassesNothingOn() {
        sendT1(store);
        assertThrows(IllegalStateException.class, () -> store.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t1"));
            tx.removeOutbox(900);
            tx.saveOutbox(sentEntry(901, "t1"));
            tx.setVersion("tasks", "t1", 9);
            throw new IllegalStateException("rolled back");
        }));
        assertEquals(List.of(sentEntry(900, "t1")), prefetchedOutbox(store, "t1"));
        assertEquals(0L, (long) store.inTransaction(tx -> tx.version("tasks", "t1")));
    }

    @Test
    void anotherStoreWritingTheSameDatabaseInBetweenIsSeen() {
        // two processes over one replica database: the count of turns on the state lock is in the database
        onTwoStores((firstFactory, one, other) -> {
            sendT1(one);
            other.inTransaction(tx -> {
                tx.removeOutbox(900);
                return null;
            });
            assertEquals(List.of(), prefetchedOutbox(one, "t1"));
        });
    }

    /** Runs a test on two stores over one database, as two processes of one replica; the first one's factory made it. */
    private static void onTwoStores(TwoStores test) {
        String url = Databases.h2Memory();
        EntityManagerFactory first = Databases.open(url, Action.CREATE_DROP);
        EntityManagerFactory second = Databases.open(url, Action.NONE);
        try (JpaReplicaStore one = new JpaReplicaStore(first); JpaReplicaStore other = new JpaReplicaStore(second)) {
            one.open(new TestContext(Role.REPLICA));
            other.open(new TestContext(Role.REPLICA));
            test.run(first, one, other);
        } finally {
            second.close();
            first.close();
        }
    }

    private interface TwoStores {
        void run(EntityManagerFactory firstFactory, JpaReplicaStore one, JpaReplicaStore other);
    }

    @Test
    void settlingAPushedRecordGivesItsNewVersionRowTheDeletedFlagOfTheLastLocalWrite() {
        Jpa.tx(emf, em -> em.persist(new Task("t1", "Kept", "alice")));
        // a row from before Tether was added (no version row), then deleted through Hibernate
        Jpa.tx(emf, em -> em.createNativeQuery("insert into Task (id, title, owner_id, done, revision) values "
                + "('t2', 'Old', 'alice', false, 0)").executeUpdate());
        Jpa.tx(emf, em -> em.remove(em.find(Task.class, "t2")));
        store.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t1", "t2"));
            for (String id : List.of("t1", "t2")) {
                tx.removeOutbox(tx.outboxFor("tasks", id).get(0).sequence());
                tx.setVersion("tasks", id, 7);
            }
            return null;
        });
        assertEquals(List.of(false), deletedFlags("t1"));
        assertEquals(List.of(true), deletedFlags("t2"));
    }

    /**
     * A change put back into the push loop (a rejected one retried) is pending again behind a later pending change
     * of its record; a write after that folds into the later one and leaves the earlier one as it was.
     */
    @Test
    void aWriteFoldsIntoTheLatestOfTwoPendingEntries() {
        Jpa.tx(emf, em -> em.persist(new Task("t1", "A", "alice")));
        OutboxEntry first = outbox().get(0);
        store.inTransaction(tx -> {
            tx.saveOutbox(first.withState(OutboxState.REJECTED, new OutboxEntry.Parked("validation", "no", null, 0)));
            return null;
        });
        Jpa.tx(emf, em -> em.find(Task.class, "t1").title = "B");
        store.inTransaction(tx -> {
            tx.saveOutbox(first.withState(OutboxState.PENDING, null)); // retried
            return null;
        });
        Jpa.tx(emf, em -> em.find(Task.class, "t1").title = "C");
        List<OutboxEntry> entries = outbox();
        assertEquals(2, entries.size(), entries.toString());
        assertEquals(first.sequence(), entries.get(0).sequence());
        assertEquals("A", entries.get(0).data().get("title"), "the retried change is left as it was");
        assertEquals("C", entries.get(1).data().get("title"), "the latest write folded into the later entry");
    }

    /** Marks the PENDING entries of these tasks SENT as the engine does: read in the transaction, then saved SENT. */
    private void markSent(JpaReplicaStore on, String... ids) {
        on.inTransaction(tx -> {
            tx.prefetch("tasks", List.of(ids));
            for (String id : ids) {
                tx.saveOutbox(OutboxEntry.pendingOf(tx.outboxFor("tasks", id)).withState(OutboxState.SENT, null));
            }
            return null;
        });
    }

    private static List<String> ids(List<OutboxEntry> entries) {
        return entries.stream().map(OutboxEntry::id).toList();
    }

    private List<?> rowStates() {
        return Jpa.call(emf, em -> em.createNativeQuery("select entry_state from tether_outbox order by sequence_no")
                .getResultList());
    }

    @Test
    void markingABatchSentWritesARowPerRunOfSequencesAndLeavesTheEntriesRowsAlone() {
        Jpa.tx(emf, em -> {
            for (int i = 1; i <= 5; i++) {
                em.persist(new Task("t" + i, "Task " + i, "alice"));
            }
        });
        markSent(store, "t1", "t2", "t3", "t5");
        assertEquals(2, Jpa.rows(emf, "tether_outbox_sent"), "t1 to t3, and t5");
        assertEquals(List.of("PENDING", "PENDING", "PENDING", "PENDING", "PENDING"), rowStates());
        assertEquals(List.of("t1", "t2", "t3", "t5"), ids(store.outbox(EnumSet.of(OutboxState.SENT), 100)));
        assertEquals(List.of("t4"), ids(store.outbox(EnumSet.of(OutboxState.PENDING), 100)));
        assertEquals(List.of("t4"), ids(store.outbox(EnumSet.of(OutboxState.PENDING), 1)), "read on past marked rows");
        assertEquals(4, store.outboxCount(EnumSet.of(OutboxState.SENT)));
        assertEquals(1, store.outboxCount(EnumSet.of(OutboxState.PENDING)));
        assertEquals(5, store.outboxCount(ALL));

        Jpa.tx(emf, em -> em.find(Task.class, "t2").title = "Edited");
        List<OutboxEntry> t2 = prefetchedOutbox(store, "t2");
        assertEquals(List.of(OutboxState.SENT, OutboxState.PENDING), t2.stream().map(OutboxEntry::state).toList(),
                "an edit after the mark queues behind the sent entry instead of folding into it");
        assertEquals("Task 2", t2.get(0).data().get("title"));
        assertEquals(Set.of("title"), t2.get(1).fields());
    }

    @Test
    void anEntryWrittenAgainLeavesItsRunAndRunsWithNothingLeftToMarkAreDropped() {
        Jpa.tx(emf, em -> {
            for (int i = 1; i <= 4; i++) {
                em.persist(new Task("t" + i, "Task " + i, "alice"));
            }
        });
        markSent(store, "t1", "t2", "t3");
        OutboxEntry.Parked refused = new OutboxEntry.Parked("validation", "no", null, 0);
        store.inTransaction(tx -> {
            tx.prefetch("tasks", List.of("t2"));
            tx.saveOutbox(tx.outboxFor("tasks", "t2").get(0).withState(OutboxState.REJECTED, refused));
            return null;
        });
        store.inTransaction(tx -> { // retried: PENDING again, and no longer in the run
            tx.saveOutbox(tx.outboxFor("tasks", "t2").get(0).withState(OutboxState.PENDING, null));
            return null;
        });
        assertEquals(List.of("t2", "t4"), ids(store.outbox(EnumSet.of(OutboxState.PENDING), 100)));
        assertEquals(List.of("t1", "t3"), ids(store.outbox(EnumSet.of(OutboxState.SENT), 100)));
        assertEquals(2, Jpa.rows(emf, "tether_outbox_sent"), "the run split around t2");

        store.inTransaction(tx -> { // t1 and t3 settled
            tx.prefetch("tasks", List.of("t1", "t3"));
            tx.removeOutbox(tx.outboxFor("tasks", "t1").get(0).sequence());
            tx.removeOutbox(tx.outboxFor("tasks", "t3").get(0).sequence());
            return null;
        });
        markSent(store, "t4");
        assertEquals(1, Jpa.rows(emf, "tether_outbox_sent"), "only t4's run is left");
        assertEquals(List.of("t2"), ids(store.outbox(EnumSet.of(OutboxState.PENDING), 100)));
        assertEquals(List.of("t4"), ids(store.outbox(EnumSet.of(OutboxState.SENT), 100)));
    }

    @Test
    void aMarkIsInTheDatabaseForAnotherStoreOnIt() {
        onTwoStores((firstFactory, one, other) -> {
            Jpa.tx(firstFactory, em -> em.persist(new Task("t1", "Task", "alice")));
            markSent(one, "t1");
            assertEquals(List.of(OutboxState.SENT), other.outbox(ALL, 10).stream().map(OutboxEntry::state).toList());
        });
    }

    @Test
    void aMarkedBatchIsStillSentWhenTheReplicaReopensItsDatabase(@TempDir Path dir) {
        String url = Databases.h2File(dir.resolve("replica"));
        EntityManagerFactory before = Databases.open(url, Action.CREATE);
        try (JpaReplicaStore first = new JpaReplicaStore(before)) {
            first.open(new TestContext(Role.REPLICA));
            Jpa.tx(before, em -> {
                em.persist(new Task("t1", "One", "alice"));
                em.persist(new Task("t2", "Two", "alice"));
            });
            markSent(first, "t1");
        } finally {
            before.close();
        }
        EntityManagerFactory after = Databases.open(url, Action.NONE);
        try (JpaReplicaStore reopened = new JpaReplicaStore(after)) {
            reopened.open(new TestContext(Role.REPLICA));
            Jpa.tx(after, em -> em.find(Task.class, "t1").title = "One, edited");
            assertEquals(List.of("t1:SENT", "t2:PENDING", "t1:PENDING"), reopened.outbox(ALL, 10).stream()
                    .map(e -> e.id() + ":" + e.state()).toList(), "the edit queues behind what was sent");
        } finally {
            after.close();
        }
    }

    private List<?> deletedFlags(String id) {
        return Jpa.call(emf, em -> em.createNativeQuery("select deleted from tether_replica_record where record_id = ?1")
                .setParameter(1, id).getResultList());
    }

}
