package io.tether.sync.core;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Tether;
import io.tether.sync.core.internal.Cursor;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.HookDecision;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.PersistenceHook;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub semantics of PROTOCOL.md sections 3 and 4, straight through {@link HubService}. */
class HubServiceTest {
    static final Principal ALICE = Principal.of("alice");
    static final Principal BOB = Principal.of("bob");
    final String client = UUID.randomUUID().toString();
    final MutableClock clock = new MutableClock();
    final MemoryHubStore store = new MemoryHubStore(clock);
    HubEngine hub;
    HubService service;
    long seq;

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    HubService start(HubLimits limits, PersistenceHook... hooks) {
        var b = Tether.hub().store(store).collection(SyncFixture.TASKS).limits(limits)
                .conflictPolicy(ConflictPolicy.SERVER_WINS).retention(Duration.ofDays(1));
        for (PersistenceHook h : hooks) {
            b.hook(h);
        }
        hub = b.build().start();
        service = hub.service();
        return service;
    }

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close();
        }
    }

    Change upsert(String id, Map<String, Object> data, long base) {
        return new Change(Change.changeId(client, ++seq), "tasks", id, Operation.UPSERT, data, null, base, null);
    }

    static Map<String, Object> task(String id, String title) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("title", title);
        return m;
    }

    PushResult push(Principal who, Change change) {
        return service.push(who, new PushRequest(client, List.of(change))).results().get(0);
    }

    List<DeliveredChange> pullAll(Principal who, String cursor, int limit, List<String> cursors) {
        List<DeliveredChange> out = new ArrayList<>();
        PullResponse page;
        do {
            page = service.pull(who, new PullRequest(cursor, limit, Set.of()));
            out.addAll(page.changes());
            cursor = page.cursor();
            cursors.add(cursor);
        } while (page.hasMore());
        return out;
    }

    @Test
    void retriedPushIsAppliedOnceAndAnsweredDuplicate() {
        start(HubLimits.DEFAULT);
        Change c = upsert("t1", task("t1", "once"), 0);
        PushResult first = push(ALICE, c);
        PushResult again = push(ALICE, c);
        assertInstanceOf(PushResult.Merged.class, first, "the hub filled in owner_id, so it answers merged");
        PushResult.Duplicate dup = assertInstanceOf(PushResult.Duplicate.class, again);
        assertEquals(((PushResult.Merged) first).version(), dup.version());
        assertEquals(1, store.headVersion(), "one write in the change log");
    }

    Change stamped(String id, String title, long millis, String node) {
        return new Change(Change.changeId(client, ++seq), "tasks", id, Operation.UPSERT, task(id, title), null, 0L,
                new HlcStamp(millis, 0, node).toString());
    }

    String stampOf(String id) {
        return store.inTransaction(tx -> tx.read("tasks", id)).orElseThrow().hlc();
    }

    /**
     * Under last-writer-wins, a device whose clock runs a year ahead would win every conflict on the records it
     * wrote for a year: a stamp further ahead of the hub's clock than its maximum drift is replaced by the hub's.
     * One within the drift is kept.
     */
    @Test
    void aStampFarAheadOfTheHubsClockIsJudgedByTheHubsClock() {
        hub = Tether.hub().store(store).collection(SyncFixture.TASKS).conflictPolicy(ConflictPolicy.LAST_WRITER_WINS)
                .build().start();
        service = hub.service();
        long wall = System.currentTimeMillis();
        long yearAhead = wall + Duration.ofDays(365).toMillis();
        assertInstanceOf(PushResult.Merged.class, push(ALICE, stamped("t1", "fast clock", yearAhead, "fast")));
        String stored = stampOf("t1");
        assertTrue(HlcStamp.parse(stored).millis() < wall + 60_000, "the hub's stamp, not a year ahead: " + stored);
        PushResult later = push(ALICE, stamped("t1", "right clock", wall + 5_000, "right"));
        assertInstanceOf(PushResult.Merged.class, later, "the later write wins: " + later);
        assertEquals("right clock", store.get("tasks", "t1").orElseThrow().data().get("title"));

        assertInstanceOf(PushResult.Merged.class, push(ALICE, stamped("t2", "a bit ahead", wall + 30_000, "ahead")));
        assertEquals(new HlcStamp(wall + 30_000, 0, "ahead").toString(), stampOf("t2"),
                "within the drift, the device's own stamp");
        PushResult earlier = push(ALICE, stamped("t2", "earlier", wall + 5_000, "right"));
        PushResult.Conflict kept = assertInstanceOf(PushResult.Conflict.class, earlier, earlier.toString());
        assertEquals("a bit ahead", kept.record().get("title"));
    }

    @Test
    void staleBaseVersionIsAConflictResolvedByPolicy() {
        start(HubLimits.DEFAULT);
        push(ALICE, upsert("t1", task("t1", "first"), 0));
        push(ALICE, upsert("t1", task("t1", "second"), 1));
        PushResult r = push(ALICE, upsert("t1", task("t1", "stale"), 1));
        PushResult.Conflict c = assertInstanceOf(PushResult.Conflict.class, r);
        assertEquals("server-wins", c.resolution());
        assertEquals(2, c.version());
        assertEquals("second", c.record().get("title"));
        assertEquals("second", store.get("tasks", "t1").orElseThrow().data().get("title"));
    }

    @Test
    void badChangesAreRejectedWithTheProtocolReasonAndChangeNothing() {
        start(HubLimits.DEFAULT);
        Map<String, Object> wrongType = task("t1", "x");
        wrongType.put("done", "true");
        Map<String, Object> unknownField = task("t2", "x");
        unknownField.put("colour", "red");
        Map<String, Object> missingTitle = task("t3", null);
        List<Change> changes = List.of(
                new Change(Change.changeId(client, 1), "nope", "x", Operation.UPSERT, task("x", "x"), null, 0L, null),
                upsert("t1", wrongType, 0),
                upsert("t2", unknownField, 0),
                upsert("t3", missingTitle, 0),
                new Change(Change.changeId(client, 9), "tasks", "t4", Operation.UPSERT, null, null, 0L, null),
                new Change(Change.changeId(client, 10), "tasks", "", Operation.DELETE, null, null, 0L, null),
                upsert("t5", task("other-id", "x"), 0),
                new Change(Change.changeId(client, 11), "tasks", "t6", Operation.UPSERT, task("t6", "x"), null, 0L,
                        "yesterday"));
        List<PushResult> results = service.push(ALICE, new PushRequest(client, changes)).results();
        assertEquals(changes.size(), results.size());
        assertEquals(RejectReason.UNKNOWN_COLLECTION, ((PushResult.Rejected) results.get(0)).reason());
        for (int i = 1; i < results.size(); i++) {
            PushResult.Rejected r = assertInstanceOf(PushResult.Rejected.class, results.get(i), "change " + i);
            assertEquals(RejectReason.VALIDATION, r.reason(), r.message());
        }
        assertTrue(((PushResult.Rejected) results.get(1)).message().contains("'done' must be a boolean"));
        assertTrue(((PushResult.Rejected) results.get(2)).message().contains("'colour' is not in collection"));
        assertTrue(((PushResult.Rejected) results.get(3)).message().contains("'title' must not be null"));
        assertEquals(0, store.headVersion(), "nothing was written");
    }

    @Test
    void aPrincipalCannotWriteOrReadAnotherPrincipalsRecords() {
        start(HubLimits.DEFAULT);
        push(ALICE, upsert("t1", task("t1", "alice's"), 0));
        PushResult r = push(BOB, upsert("t1", task("t1", "bob was here"), 1));
        assertEquals(RejectReason.FORBIDDEN, assertInstanceOf(PushResult.Rejected.class, r).reason());
        Map<String, Object> claimsAlice = task("t2", "planted");
        claimsAlice.put("owner_id", "alice");
        PushResult planted = push(BOB, upsert("t2", claimsAlice, 0));
        assertEquals(RejectReason.FORBIDDEN, assertInstanceOf(PushResult.Rejected.class, planted).reason());
        assertEquals("alice's", store.get("tasks", "t1").orElseThrow().data().get("title"));
        assertTrue(pullAll(BOB, null, 10, new ArrayList<>()).isEmpty(), "bob sees none of alice's records");
        assertEquals(1, pullAll(ALICE, null, 10, new ArrayList<>()).size());
    }

    @Test
    void oversizePushIsRefusedWholeWith413() {
        start(new HubLimits(2, 1024, 10, 100, 4));
        List<Change> three = List.of(upsert("a", task("a", "a"), 0), upsert("b", task("b", "b"), 0),
                upsert("c", task("c", "c"), 0));
        ProblemException e = assertThrows(ProblemException.class,
                () -> service.push(ALICE, new PushRequest(client, three)));
        assertEquals(ProblemType.PAYLOAD_TOO_LARGE, e.type());
        assertEquals(0, store.headVersion());
    }

    @Test
    void hooksCanVetoAndTransform() {
        PersistenceHook hook = new PersistenceHook() {
            @Override
            public HookDecision beforeStore(PendingWrite w) {
                if ("forbidden".equals(w.data().get("title"))) {
                    return HookDecision.veto("titles may not be 'forbidden'");
                }
                Map<String, Object> upper = new HashMap<>(w.data());
                upper.put("title", ((String) w.data().get("title")).toUpperCase());
                return HookDecision.transform(upper);
            }
        };
        start(HubLimits.DEFAULT, hook);
        PushResult vetoed = push(ALICE, upsert("t1", task("t1", "forbidden"), 0));
        assertEquals("titles may not be 'forbidden'", assertInstanceOf(PushResult.Rejected.class, vetoed).message());
        PushResult.Merged m = assertInstanceOf(PushResult.Merged.class, push(ALICE, upsert("t2", task("t2", "hi"), 0)));
        assertEquals("HI", m.record().get("title"));
        assertFalse(store.get("tasks", "t1").isPresent());
    }

    @Test
    void initialSyncPagesDeliverCurrentStateAndContinueWithoutGap() {
        start(HubLimits.DEFAULT);
        for (int i = 0; i < 25; i++) {
            push(ALICE, upsert("t" + i, task("t" + i, "v0"), 0));
        }
        push(ALICE, upsert("t0", task("t0", "v1"), 1));
        PullResponse first = service.pull(ALICE, new PullRequest(null, 10, Set.of()));
        assertTrue(first.hasMore());
        // a record changes while the initial sync is paging: it must still arrive, in its latest state
        push(ALICE, upsert("t20", task("t20", "changed"), 21));
        List<String> cursors = new ArrayList<>();
        List<DeliveredChange> rest = pullAll(ALICE, first.cursor(), 10, cursors);
        Map<String, Object> seen = new HashMap<>();
        for (DeliveredChange d : first.changes()) {
            seen.put(d.id(), d.data().get("title"));
        }
        for (DeliveredChange d : rest) {
            seen.put(d.id(), d.data().get("title"));
        }
        assertEquals(25, seen.size());
        assertEquals("v1", seen.get("t0"));
        assertEquals("changed", seen.get("t20"));
        assertEquals(0, service.pull(ALICE, new PullRequest(cursors.get(cursors.size() - 1), 10, Set.of()))
                .changes().size());
    }

    @Test
    void aCursorAheadOfTheHubsHistoryIsCursorExpiredWithTheLatestVersion() {
        start(HubLimits.DEFAULT);
        push(ALICE, upsert("t1", task("t1", "x"), 0));
        ProblemException e = assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(Cursor.encode(new Cursor.Seq(7, null)), 10, Set.of())));
        assertEquals(ProblemType.CURSOR_EXPIRED, e.type());
        assertEquals(1L, e.problem().latestVersion());
        assertNull(e.problem().seenUntil(), "an unmarked cursor says nothing of when");
        assertTrue(e.problem().detail().contains("ahead of the hub's change history")
                && e.problem().detail().contains("ends at version 1"), e.problem().detail());
        ProblemException snapshot = assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(Cursor.encode(new Cursor.Snapshot(9, 3, null)), 10,
                        Set.of())));
        assertEquals(1L, snapshot.problem().latestVersion());
    }

    /**
     * A hub restored from a backup that has taken new versions since: a cursor of the history it lost is at or below
     * its head, but its mark (the commit time of the change at its version) is not this hub's, so it is answered
     * cursor-expired with where the two histories part, the newest change committed by that time.
     */
    @Test
    void aCursorFromAHistoryTheHubLostIsCursorExpiredWithWhereTheHistoriesPart() {
        start(HubLimits.DEFAULT);
        push(ALICE, upsert("t1", task("t1", "a"), 0));
        push(ALICE, upsert("t2", task("t2", "b"), 0));
        String shared = service.pull(ALICE, new PullRequest(null, 10, Set.of())).cursor();
        // the history the backup lost: versions 3 and 4, committed a minute later, then a cursor after them
        String lost = Cursor.encode(new Cursor.Seq(4, clock.now.plusSeconds(60).toEpochMilli()));
        clock.now = clock.now.plusSeconds(120); // restored, and written to again
        push(ALICE, upsert("t3", task("t3", "c"), 0));
        push(ALICE, upsert("t4", task("t4", "d"), 0));
        push(ALICE, upsert("t5", task("t5", "e"), 0));
        ProblemException e = assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(lost, 10, Set.of())));
        assertEquals(ProblemType.CURSOR_EXPIRED, e.type());
        assertEquals(2L, e.problem().latestVersion(), e.problem().detail());
        assertEquals(clock.now.minusSeconds(60), e.problem().seenUntil(), "when the cursor's change committed");
        assertTrue(e.problem().detail().contains("from a change history the hub no longer has"), e.problem().detail());
        // its own cursors, marked or not (as issued before cursors were marked), go on
        assertEquals(3, service.pull(ALICE, new PullRequest(shared, 10, Set.of())).changes().size());
        assertEquals(3, service.pull(ALICE, new PullRequest(Cursor.encode(new Cursor.Seq(2, null)), 10, Set.of()))
                .changes().size());
        assertEquals(2, service.pull(ALICE, new PullRequest(Cursor.encode(new Cursor.Seq(3,
                clock.now.toEpochMilli())), 10, Set.of())).changes().size());
        // a cursor of the lost history ahead of the head parts at the same version, not at the head
        String ahead = Cursor.encode(new Cursor.Seq(9, clock.now.minusSeconds(60).toEpochMilli()));
        assertEquals(2L, assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(ahead, 10, Set.of()))).problem().latestVersion());
    }

    @Test
    void pullFromBehindTheRetentionHorizonIsCursorExpired() {
        start(HubLimits.DEFAULT);
        push(ALICE, upsert("t1", task("t1", "x"), 0));
        String early = service.pull(ALICE, new PullRequest(null, 10, Set.of())).cursor();
        service.push(ALICE, new PushRequest(client, List.of(new Change(Change.changeId(client, 99), "tasks", "t1",
                Operation.DELETE, null, null, 1L, null))));
        clock.now = clock.now.plus(Duration.ofDays(2));
        long horizon = hub.compact();
        assertEquals(2, horizon);
        ProblemException e = assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(early, 10, Set.of())));
        assertEquals(ProblemType.CURSOR_EXPIRED, e.type());
        assertEquals(410, e.problem().status());
    }

    @Test
    void malformedPullsAreBadRequests() {
        start(HubLimits.DEFAULT);
        for (String cursor : List.of("garbage!", "c2VxOi0x", "c2VxOg", "x".repeat(500))) {
            ProblemException e = assertThrows(ProblemException.class,
                    () -> service.pull(ALICE, new PullRequest(cursor, 10, Set.of())), cursor);
            assertEquals(ProblemType.BAD_REQUEST, e.type(), cursor);
        }
        assertEquals(ProblemType.BAD_REQUEST, assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(null, 0, Set.of()))).type());
        assertEquals(ProblemType.BAD_REQUEST, assertThrows(ProblemException.class,
                () -> service.pull(ALICE, new PullRequest(null, 10, Set.of("nope")))).type());
        PullResponse clamped = service.pull(ALICE, new PullRequest(null, Integer.MAX_VALUE, Set.of()));
        assertFalse(clamped.hasMore());
    }

    @Test
    void schemaVersionMismatchIsAProblem() {
        start(HubLimits.DEFAULT);
        service.checkSchemaVersion(null);
        service.checkSchemaVersion(1);
        assertEquals(ProblemType.SCHEMA_MISMATCH, assertThrows(ProblemException.class,
                () -> service.checkSchemaVersion(2)).type());
    }
}
