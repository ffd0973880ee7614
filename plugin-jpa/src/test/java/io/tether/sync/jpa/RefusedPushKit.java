package io.tether.sync.jpa;

import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.Tether;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import io.tether.sync.spi.ScopeSet;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pushed values a hub's database or entities cannot hold are rejected change by change, never failing the push:
 * each case goes in one push between two good changes, which are applied, while the refused one writes nothing.
 */
abstract class RefusedPushKit {
    static final String CLIENT = "6f1c2a9e-7d3b-4c1a-9a53-2b7c1e0f4d11";
    private static final PullFilter EVERYTHING = new PullFilter(Map.of("tasks", ScopeSet.ALL, "note", ScopeSet.ALL));

    EntityManagerFactory emf;
    JpaHubStore store;
    HubEngine hub;
    private int sequence;

    /** A JDBC URL of an empty database for this test. */
    abstract String url();

    @BeforeEach
    void open() {
        emf = Databases.open(url(), Action.CREATE_DROP);
        store = new JpaHubStore(emf);
        hub = Tether.hub().store(store).build().start();
    }

    @AfterEach
    void close() {
        hub.close();
        emf.close();
    }

    static Map<String, Object> task(String id, String title) {
        Map<String, Object> data = new HashMap<>();
        data.put("id", id);
        data.put("title", title);
        data.put("done", false);
        return data;
    }

    Change upsert(String collection, String id, Map<String, Object> data) {
        return new Change(Change.changeId(CLIENT, ++sequence), collection, id, Operation.UPSERT, data, null, 0L, null);
    }

    /** Pushes {@code refused} between two good tasks; returns its rejection after checking what was written. */
    PushResult.Rejected pushBetweenGoodOnes(Change refused, RejectReason reason) {
        long head = store.headVersion();
        Change before = upsert("tasks", "good-" + sequence, task("good-" + sequence, "Fine"));
        Change after = upsert("tasks", "good-" + (sequence + 1), task("good-" + (sequence + 1), "Fine too"));
        List<PushResult> results = hub.service().push(Principal.of("alice"),
                new PushRequest(CLIENT, List.of(before, refused, after))).results();
        // the hub sets the scope field, so a good new task is answered merged; either way it was written
        assertTrue(written(results.get(0)) && written(results.get(2)), results.toString());
        PushResult.Rejected rejected = assertInstanceOf(PushResult.Rejected.class, results.get(1), results.toString());
        assertEquals(reason, rejected.reason(), rejected.message());
        assertEquals(head + 2, store.headVersion(), "the two good changes, and nothing of the refused one, were logged");
        List<String> logged = store.changesSince(head, store.headVersion(), 10, EVERYTHING).stream()
                .map(LogEntry::id).toList();
        assertEquals(List.of(before.id(), after.id()), logged);
        assertTrue(store.inTransaction(tx -> tx.read(refused.collection(), refused.id())).isEmpty(),
                "the refused record was not written");
        return rejected;
    }

    private static boolean written(PushResult r) {
        return r instanceof PushResult.Applied || r instanceof PushResult.Merged;
    }

    @Test
    void aStringLongerThanItsColumnIsRejected() {
        PushResult.Rejected r = pushBetweenGoodOnes(upsert("tasks", "long", task("long", "t".repeat(300))),
                RejectReason.VALIDATION);
        assertTrue(r.message().toLowerCase().contains("too long"), r.message());
    }

    @Test
    void anIntegerBeyondItsAttributeIsRejectedNotWrapped() {
        Map<String, Object> data = task("big", "Big priority");
        data.put("priority", 3_000_000_000L);
        PushResult.Rejected r = pushBetweenGoodOnes(upsert("tasks", "big", data), RejectReason.VALIDATION);
        assertTrue(r.message().contains("'priority'") && r.message().contains("32-bit"), r.message());
        data.put("priority", Long.MAX_VALUE);
        pushBetweenGoodOnes(upsert("tasks", "big", data), RejectReason.VALIDATION);
    }

    @Test
    void aRecordLargerThanTheHubKeepsIsRejectedAsTooLarge() {
        Map<String, Object> note = Map.of("id", "n1", "text", "n".repeat(1_100_000));
        PushResult.Rejected r = pushBetweenGoodOnes(upsert("note", "n1", note), RejectReason.TOO_LARGE);
        assertTrue(r.message().contains("note/n1") && r.message().contains("1,048,576"), r.message());
        assertNull(Jpa.call(emf, em -> em.find(Note.class, "n1")));
    }

    @Test
    void aChangeIdLongerThanTheDedupKeyIsRejected() {
        Change longId = new Change(CLIENT + ":" + "9".repeat(250), "tasks", "t1", Operation.UPSERT,
                task("t1", "Fine data"), null, 0L, null);
        PushResult.Rejected r = pushBetweenGoodOnes(longId, RejectReason.VALIDATION);
        assertTrue(r.message().toLowerCase().contains("too long"), r.message());
    }
}
