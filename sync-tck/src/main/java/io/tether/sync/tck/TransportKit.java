package io.tether.sync.tck;

import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Subscription;
import io.tether.sync.SyncRecord;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Push and pull semantics of PROTOCOL.md through a transport. The kit builds a hub over a fresh store with the
 * engine on the class path ({@link TckHub}); the subclass connects its transport to it:
 *
 * <pre>{@code
 * class MyTransportTest extends TransportKit {
 *     @Override protected HubStore createHubStore() { return MemoryStore.hub(); }
 *     @Override protected SyncTransport createTransport(HubEngine hub, String token) {
 *         return MyTransport.connect(server.serve(hub.service()), token);
 *     }
 * }
 * }</pre>
 *
 * Rules are named {@code [transport-N]}.
 */
public abstract class TransportKit {
    protected HubEngine hub;
    private final Map<String, SyncTransport> transports = new HashMap<>();

    /** A fresh, empty hub store for the hub the transport talks to. */
    protected abstract HubStore createHubStore();

    /**
     * A transport to {@code hub} that authenticates with {@code bearerToken}. The kit closes it after the test.
     * Tokens are {@code token-<principal>}; the kit also asks for a token the hub refuses, which the transport
     * refuses either when it is created or on each request, with a {@code unauthorized} problem.
     */
    protected abstract SyncTransport createTransport(HubEngine hub, String bearerToken);

    /** The transport's optional capabilities. Default: none. */
    protected TransportFeatures features() {
        return TransportFeatures.defaults();
    }

    @BeforeEach
    void startHub() {
        hub = TckHub.builder(createHubStore()).retention(Duration.ZERO).build().start();
    }

    @AfterEach
    void stopHub() {
        transports.values().forEach(SyncTransport::close);
        transports.clear();
        if (hub != null) {   // null when the factory skipped the test (an assumption failed)
            hub.close();
            hub = null;
        }
    }

    /** The transport for a principal, created once per test. */
    protected SyncTransport as(String principal) {
        return transports.computeIfAbsent(TckHub.token(principal), token -> createTransport(hub, token));
    }

    // ---- helpers

    private final String clientId = UUID.randomUUID().toString();
    private long sequence;

    protected Change task(String id, String owner, String title, long base) {
        return TckHub.upsert(clientId, ++sequence, "tasks", id, TckSchema.task(id, owner, title), base);
    }

    protected PushResponse push(String principal, Change... changes) {
        return as(principal).push(new PushRequest(clientId, List.of(changes)));
    }

    protected long version(PushResult result) {
        if (result instanceof PushResult.Applied a) {
            return a.version();
        }
        if (result instanceof PushResult.Merged m) {
            return m.version();
        }
        throw new AssertionError("expected applied or merged, got " + result);
    }

    /** Pulls from {@code cursor} until {@code hasMore} is false; returns the changes and the final cursor. */
    protected Pulled pullAll(String principal, String cursor, int limit, Set<String> collections) {
        List<DeliveredChange> changes = new ArrayList<>();
        int pages = 0;
        PullResponse page;
        do {
            page = as(principal).pull(new PullRequest(cursor, limit, collections));
            assertTrue(page.changes().size() <= limit,
                    "a page holds at most limit changes: " + page.changes().size() + " > " + limit);
            assertFalse(page.hasMore() && page.changes().isEmpty() && page.cursor().equals(cursor),
                    "a page with hasMore must make progress");
            changes.addAll(page.changes());
            cursor = page.cursor();
            assertTrue(++pages < 10_000, "pulling never reached hasMore=false");
        } while (page.hasMore());
        return new Pulled(changes, cursor, pages);
    }

    /** The changes of a complete pull and the cursor after it. */
    protected record Pulled(List<DeliveredChange> changes, String cursor, int pages) {
        List<String> ids() {
            return changes.stream().map(DeliveredChange::id).toList();
        }
    }

    private static void assertProblem(ProblemType type, Executable call, String why) {
        ProblemException e = assertThrows(ProblemException.class, call, why);
        assertEquals(type, e.type(), why + ": " + e.getMessage());
    }

    // ---- rules

    @Nested
    @DisplayName("push")
    class Push {

        @Test
        @DisplayName("[transport-1] a push is answered with one result per change, in order, and applied")
        void pushApplies() {
            Change a = task("t1", "alice", "a", 0);
            Change b = task("t2", "alice", "b", 0);
            PushResponse response = push("alice", a, b);
            assertEquals(2, response.results().size(), "one result per change");
            assertEquals(a.changeId(), response.results().get(0).changeId(), "results in request order");
            assertEquals(b.changeId(), response.results().get(1).changeId(), "results in request order");
            long va = version(response.results().get(0));
            long vb = version(response.results().get(1));
            assertTrue(vb > va, "versions grow in array order");
            SyncRecord stored = hub.records().get("tasks", "t1").orElseThrow(() -> new AssertionError("not stored"));
            assertEquals("a", stored.data().get("title"));
            assertEquals(va, stored.version());
        }

        @Test
        @DisplayName("[transport-2] a retried push is answered duplicate with the first versions and applies nothing again")
        void retriedPushDeduplicated() {
            Change a = task("t1", "alice", "a", 0);
            Change b = task("t2", "alice", "b", 0);
            PushResponse first = push("alice", a, b);
            List<String> events = new ArrayList<>();
            try (var ignored = hub.onChange(batch -> batch.changes().forEach(e -> events.add(e.id())))) {
                PushResponse retry = push("alice", a, b);
                for (int i = 0; i < 2; i++) {
                    PushResult r = retry.results().get(i);
                    assertInstanceOf(PushResult.Duplicate.class, r, "a retried change must be a duplicate: " + r);
                    assertEquals(version(first.results().get(i)), ((PushResult.Duplicate) r).version(),
                            "a duplicate reports the version it produced the first time");
                }
            }
            assertTrue(events.isEmpty(), "a retried push was applied again: " + events);
            assertEquals(version(first.results().get(1)), hub.records().get("tasks", "t2").orElseThrow().version(),
                    "a retried push moved a record's version");
        }

        @Test
        @DisplayName("[transport-3] a change based on a stale version comes back merged or conflict with the hub's record")
        void staleBaseIsConflict() {
            long v1 = version(push("alice", task("t1", "alice", "a", 0)).results().get(0));
            push("alice", task("t1", "alice", "b", v1));
            PushResult stale = push("alice", task("t1", "alice", "c", v1)).results().get(0);
            assertTrue(stale instanceof PushResult.Merged || stale instanceof PushResult.Conflict,
                    "a change based on a superseded version is a conflict the policy decides: " + stale);
            if (stale instanceof PushResult.Conflict c) {
                assertNotNull(c.record(), "a conflict carries the hub's record");
                assertNotNull(c.resolution(), "a conflict names its resolution");
            }
        }

        @Test
        @DisplayName("[transport-4] invalid changes are rejected with their reason; the others in the request apply")
        void rejectedWithReason() {
            Change unknown = TckHub.upsert(clientId, ++sequence, "nope", "x", Map.of("id", "x"), 0);
            Change foreign = task("t9", "alice", "into alice's scope", 0);
            Change fine = task("b1", "bob", "mine", 0);
            PushResponse response = push("bob", unknown, foreign, fine);
            PushResult r0 = response.results().get(0);
            PushResult r1 = response.results().get(1);
            assertInstanceOf(PushResult.Rejected.class, r0, "an unknown collection is rejected: " + r0);
            assertEquals(RejectReason.UNKNOWN_COLLECTION, ((PushResult.Rejected) r0).reason());
            assertInstanceOf(PushResult.Rejected.class, r1, "a write outside the principal's scopes is rejected: " + r1);
            assertEquals(RejectReason.FORBIDDEN, ((PushResult.Rejected) r1).reason());
            assertInstanceOf(PushResult.Applied.class, response.results().get(2), "a valid change still applies");
            assertTrue(hub.records().get("tasks", "t9").isEmpty(), "a rejected change was written");
        }

        @Test
        @DisplayName("[transport-5] a push over the limits is refused as payload-too-large and applies nothing")
        void tooLargeRefused() {
            int max = hub.service().limits().maxPushChanges();
            Change[] changes = new Change[max + 1];
            for (int i = 0; i <= max; i++) {
                changes[i] = task("big-" + i, "alice", "x", 0);
            }
            assertProblem(ProblemType.PAYLOAD_TOO_LARGE, () -> push("alice", changes), "a push over the limit");
            assertEquals(0, hub.records().count("tasks"), "a refused push applied changes");
        }
    }

    @Nested
    @DisplayName("pull")
    class Pull {

        @Test
        @DisplayName("[transport-6] an initial sync delivers the current state, then its cursor continues without a gap")
        void initialSyncThenIncremental() {
            long v1 = version(push("alice", task("t1", "alice", "a", 0)).results().get(0));
            push("alice", task("t2", "alice", "b", 0));
            push("alice", task("t1", "alice", "a2", v1));
            push("alice", TckHub.delete(clientId, ++sequence, "tasks", "t2",
                    hub.records().get("tasks", "t2").orElseThrow().version()));
            Pulled initial = pullAll("alice", null, 100, Set.of());
            assertEquals(List.of("t1"), initial.ids(), "an initial sync holds live records only, once each");
            assertEquals(Operation.UPSERT, initial.changes().get(0).op());
            assertEquals("a2", initial.changes().get(0).data().get("title"), "at their latest state");
            push("alice", task("t3", "alice", "c", 0));
            Pulled next = pullAll("alice", initial.cursor(), 100, Set.of());
            assertEquals(List.of("t3"), next.ids(), "the initial sync's cursor continues with later changes only");
        }

        @Test
        @DisplayName("[transport-7] a pull from a cursor delivers every later change in commit order, deletes included")
        void incrementalInOrder() {
            String cursor = pullAll("alice", null, 100, Set.of()).cursor();
            long v1 = version(push("alice", task("t1", "alice", "a", 0)).results().get(0));
            long v2 = version(push("alice", task("t2", "alice", "b", 0)).results().get(0));
            PushResult del = push("alice", TckHub.delete(clientId, ++sequence, "tasks", "t1", v1)).results().get(0);
            Pulled pulled = pullAll("alice", cursor, 100, Set.of());
            assertEquals(List.of("t1", "t2", "t1"), pulled.ids(), "every change, in commit order");
            List<Long> versions = pulled.changes().stream().map(DeliveredChange::version).toList();
            assertEquals(List.of(v1, v2, version(del)), versions, "delivered versions are the hub's versions");
            DeliveredChange delete = pulled.changes().get(2);
            assertEquals(Operation.DELETE, delete.op());
            assertEquals(null, delete.data(), "a delete is delivered without data");
            assertTrue(pullAll("alice", pulled.cursor(), 100, Set.of()).changes().isEmpty(),
                    "nothing is delivered twice from the final cursor");
        }

        @Test
        @DisplayName("[transport-8] 12,000 records are paged to the end with nothing missing and no page over its limit")
        void largePages() {
            int total = 12_000;
            int perPush = Math.min(1000, hub.service().limits().maxPushChanges());
            for (int start = 0; start < total; start += perPush) {
                Change[] batch = new Change[Math.min(perPush, total - start)];
                for (int i = 0; i < batch.length; i++) {
                    String id = String.format("r%05d", start + i);
                    batch[i] = task(id, "alice", id, 0);
                }
                push("alice", batch);
            }
            Pulled initial = pullAll("alice", null, 5000, Set.of());
            assertEquals(total, new HashSet<>(initial.ids()).size(), "an initial sync lost records");
            assertEquals(total, initial.changes().size(), "an initial sync delivered a record twice");
            assertTrue(initial.pages() >= 3, "12,000 records at 5000 per page take at least 3 pages");
            Pulled incremental = pullAll("alice", hub.service().cursorAt(0), 4999, Set.of());
            assertEquals(total, new HashSet<>(incremental.ids()).size(), "an incremental pull lost changes");
            List<Long> versions = incremental.changes().stream().map(DeliveredChange::version).toList();
            for (int i = 1; i < versions.size(); i++) {
                assertTrue(versions.get(i) > versions.get(i - 1), "changes out of commit order at " + i);
            }
        }

        @Test
        @DisplayName("[transport-9] the collections filter limits a pull to the named collections")
        void collectionsFilter() {
            push("alice", task("t1", "alice", "a", 0),
                    TckHub.upsert(clientId, ++sequence, "notes", "n1", TckSchema.note("n1", "x"), 0));
            assertEquals(List.of("n1"), pullAll("alice", null, 100, Set.of("notes")).ids());
            assertEquals(List.of("t1"), pullAll("alice", hub.service().cursorAt(0), 100, Set.of("tasks")).ids());
            assertEquals(Set.of("t1", "n1"), new HashSet<>(pullAll("alice", null, 100, Set.of()).ids()),
                    "no filter means all collections");
        }

        @Test
        @DisplayName("[transport-10] a principal never receives records outside its scopes")
        void scopesIsolated() {
            push("alice", task("a1", "alice", "alice's", 0),
                    TckHub.upsert(clientId, ++sequence, "notes", "n1", TckSchema.note("n1", "shared"), 0));
            push("bob", task("b1", "bob", "bob's", 0));
            assertEquals(Set.of("b1", "n1"), new HashSet<>(pullAll("bob", null, 100, Set.of()).ids()),
                    "initial sync of bob");
            assertEquals(Set.of("b1", "n1"),
                    new HashSet<>(pullAll("bob", hub.service().cursorAt(0), 100, Set.of()).ids()),
                    "incremental pull of bob");
            assertEquals(Set.of("a1", "n1"), new HashSet<>(pullAll("alice", null, 100, Set.of()).ids()),
                    "initial sync of alice");
        }
    }

    @Nested
    @DisplayName("errors")
    class Errors {

        @Test
        @DisplayName("[transport-11] a cursor older than the retention horizon is answered cursor-expired")
        void expiredCursor() throws InterruptedException {
            long v1 = version(push("alice", task("t1", "alice", "a", 0)).results().get(0));
            String old = pullAll("alice", null, 100, Set.of()).cursor();
            push("alice", TckHub.delete(clientId, ++sequence, "tasks", "t1", v1));
            Thread.sleep(5);
            assertTrue(hub.compact() > v1, "compaction with zero retention must raise the horizon past the tombstone");
            assertProblem(ProblemType.CURSOR_EXPIRED, () -> as("alice").pull(PullRequest.from(old, 100)),
                    "a pull from below the horizon");
        }

        @Test
        @DisplayName("[transport-12] a refused token is answered unauthorized for push and pull and applies nothing")
        void unauthorized() {
            SyncTransport stranger;
            try {
                stranger = transports.computeIfAbsent("forged", token -> createTransport(hub, token));
            } catch (ProblemException refusedAtConnect) {
                assertEquals(ProblemType.UNAUTHORIZED, refusedAtConnect.type(),
                        "a transport that authenticates when it connects must refuse as unauthorized");
                return;
            }
            assertProblem(ProblemType.UNAUTHORIZED, () -> stranger.push(new PushRequest(clientId,
                    List.of(task("t1", "alice", "a", 0)))), "a push with a refused token");
            assertProblem(ProblemType.UNAUTHORIZED, () -> stranger.pull(PullRequest.from(null, 10)),
                    "a pull with a refused token");
            assertEquals(0, hub.records().count("tasks"), "an unauthorized push applied changes");
        }

        @Test
        @DisplayName("[transport-13] a malformed cursor is answered bad-request")
        void badCursor() {
            assertProblem(ProblemType.BAD_REQUEST,
                    () -> as("alice").pull(PullRequest.from("not a cursor!", 10)), "a malformed cursor");
            push("alice", task("t1", "alice", "a", 0));
            assertEquals(List.of("t1"), pullAll("alice", null, 10, Set.of()).ids(), "the hub keeps serving");
        }

        @Test
        @DisplayName("[transport-14] schema() returns the hub's schema")
        void schema() {
            Schema schema = as("alice").schema();
            assertEquals(hub.service().schema().version(), schema.version());
            CollectionSchema tasks = schema.collection("tasks").orElseThrow(() -> new AssertionError("no tasks"));
            assertEquals("owner_id", tasks.scopeField());
            assertEquals(TckSchema.TASKS.field("done"), tasks.field("done"));
            assertTrue(schema.collection("notes").isPresent());
        }
    }

    @Nested
    @DisplayName("live")
    class Live {

        @Test
        @DisplayName("[transport-15] a live subscription delivers catch-up pages, then changes as they commit, in order")
        void liveDelivery() throws InterruptedException {
            assumeTrue(features().live(), "the transport does not declare live delivery: override features() to enable");
            assertTrue(as("alice").supportsLive(), "features() declares live but supportsLive() is false");
            push("alice", task("t1", "alice", "before", 0));
            BlockingQueue<DeliveredChange> delivered = new LinkedBlockingQueue<>();
            try (Subscription ignored = as("alice").subscribe(null, new SyncTransport.LiveListener() {
                @Override
                public void onPage(PullResponse page) {
                    delivered.addAll(page.changes());
                }

                @Override
                public void onResync() {
                }

                @Override
                public void onClosed(Throwable error) {
                }
            })) {
                DeliveredChange first = delivered.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "no catch-up page within 10 s");
                assertEquals("t1", first.id(), "catch-up delivers the existing record");
                push("alice", task("t2", "alice", "live", 0));
                push("bob", task("b1", "bob", "not for alice", 0));
                push("alice", task("t3", "alice", "live", 0));
                Map<String, Long> seen = new LinkedHashMap<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (seen.size() < 2 && System.nanoTime() < deadline) {
                    DeliveredChange c = delivered.poll(100, TimeUnit.MILLISECONDS);
                    if (c != null) {
                        seen.put(c.id(), c.version());
                    }
                }
                assertEquals(List.of("t2", "t3"), new ArrayList<>(seen.keySet()),
                        "live changes in commit order, only the principal's");
                assertTrue(seen.get("t3") > seen.get("t2"));
            }
        }
    }
}
