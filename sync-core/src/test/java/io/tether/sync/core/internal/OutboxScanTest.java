package io.tether.sync.core.internal;

import io.tether.sync.HubEngine;
import io.tether.sync.SyncException;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ReplicaStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

/** Push batches chosen by reading the outbox on from where the last choice stopped, in outbox order. */
class OutboxScanTest {
    private static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false).build();

    private HubEngine hub;
    private ReplicaEngine engine;
    private MemoryReplicaStore store;

    @BeforeEach
    void open() {
        hub = Tether.hub().store(MemoryStore.hub()).collection(TASKS).build().start();
        store = MemoryStore.replica();
        // the engine only opens the store: it never syncs on its own here
        engine = Tether.replica().store(store).transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }

    @AfterEach
    void close() {
        engine.close();
        hub.close();
    }

    private void put(String id) {
        put(id, id);
    }

    private void put(String id, String title) {
        store.put("tasks", id, Map.of("id", id, "title", title, "owner_id", "alice"));
    }

    private OutboxEntry entry(String id) {
        return store.outbox(OutboxScan.UNRESOLVED, Integer.MAX_VALUE).stream().filter(e -> e.id().equals(id))
                .reduce((first, last) -> last).orElseThrow();
    }

    private long entriesOf(String id) {
        return store.outbox(OutboxScan.UNRESOLVED, Integer.MAX_VALUE).stream().filter(e -> e.id().equals(id)).count();
    }

    private void save(OutboxEntry e) {
        store.inTransaction(tx -> {
            tx.saveOutbox(e);
            return null;
        });
    }

    private void remove(List<OutboxEntry> entries) {
        store.inTransaction(tx -> {
            entries.forEach(e -> tx.removeOutbox(e.sequence()));
            return null;
        });
    }

    private static List<String> ids(List<OutboxEntry> entries) {
        return entries.stream().map(OutboxEntry::id).toList();
    }

    @Test
    void eachBatchIsReadOnFromThePreviousOne() {
        List.of("a", "b", "c", "d", "e").forEach(this::put);
        ReplicaStore reads = spy(store);
        OutboxScan scan = new OutboxScan(reads);
        List<OutboxEntry> first = scan.next(2, List.of());
        assertEquals(List.of("a", "b"), ids(first));
        List<OutboxEntry> second = scan.next(2, first);
        assertEquals(List.of("c", "d"), ids(second));
        verify(reads).outbox(any(), eq(first.get(1).sequence()), anyInt());
        verify(reads, never()).outbox(any(), anyInt());
        assertEquals(List.of("e"), ids(scan.next(2, second)));
    }

    @Test
    void anEntryBehindOneInFlightWaitsAndIsReadAgainOnceThatOneIsSettled() {
        put("a");
        OutboxEntry sent = entry("a").withState(OutboxState.SENT, null);
        save(sent);
        put("a", "edited"); // queues behind the sent entry
        put("b");
        put("c");
        OutboxScan scan = new OutboxScan(store);
        List<OutboxEntry> batch = scan.next(10, List.of(sent));
        assertEquals(List.of("b", "c"), ids(batch), "the second entry of a waits for the first");
        remove(List.of(sent));
        remove(batch);
        assertEquals(List.of("a"), ids(scan.next(10, List.of())), "read again: the scan stopped below it");
    }

    @Test
    void aParkedConflictBlocksItsRecordAfterTheScanHasPassedIt() {
        put("a");
        OutboxEntry parked = entry("a").withState(OutboxState.CONFLICT,
                new OutboxEntry.Parked("manual", null, Map.of("id", "a", "title", "hub", "owner_id", "alice"), 3));
        save(parked);
        put("b");
        OutboxScan scan = new OutboxScan(store);
        List<OutboxEntry> first = scan.next(10, List.of());
        assertEquals(List.of("b"), ids(first));
        put("a", "edited"); // behind the conflict, above where the scan stopped
        put("c");
        assertEquals(2, entriesOf("a"), "the edit queued behind the conflict");
        assertEquals(List.of("c"), ids(scan.next(10, first)), "a stays blocked behind its parked conflict");
    }

    @Test
    void aBatchParkedWhileInFlightBlocksItsRecord() {
        put("a");
        OutboxScan scan = new OutboxScan(store);
        List<OutboxEntry> batch = scan.next(10, List.of());
        OutboxEntry sent = batch.get(0).withState(OutboxState.SENT, null);
        save(sent);
        put("a", "edited");
        save(sent.withState(OutboxState.CONFLICT, new OutboxEntry.Parked("manual", null, null, 2)));
        scan.parked(sent);
        assertEquals(2, entriesOf("a"), "the edit queued behind the parked entry");
        assertEquals(List.of(), scan.next(10, List.of()), "the later edit of a waits behind its conflict");
        scan.restart();
        assertEquals(List.of(), scan.next(10, List.of()), "also when read from the start");
    }

    @Test
    void aStoreThatReadsFromTheStartWhateverItIsAskedFailsInsteadOfHandingOutTheSameEntriesForever() {
        List.of("a", "b").forEach(this::put);
        ReplicaStore rewinding = spy(store);
        doAnswer(call -> store.outbox(call.getArgument(0), (int) call.getArgument(2)))
                .when(rewinding).outbox(any(), anyLong(), anyInt());
        OutboxScan scan = new OutboxScan(rewinding);
        List<OutboxEntry> first = scan.next(1, List.of());
        SyncException e = assertThrows(SyncException.class, () -> scan.next(1, first));
        assertTrue(e.getMessage().contains("must return only later entries"), e.getMessage());
    }

    @Test
    void restartReadsFromTheStart() {
        List.of("a", "b").forEach(this::put);
        ReplicaStore reads = spy(store);
        OutboxScan scan = new OutboxScan(reads);
        assertEquals(List.of("a", "b"), ids(scan.next(10, List.of())));
        scan.restart();
        assertEquals(List.of("a", "b"), ids(scan.next(10, List.of())), "nothing was sent: both again");
        verify(reads, atLeastOnce()).outbox(EnumSet.copyOf(OutboxScan.UNRESOLVED), Long.MIN_VALUE, 10);
    }
}
