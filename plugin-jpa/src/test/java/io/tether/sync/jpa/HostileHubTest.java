package io.tether.sync.jpa;

import io.tether.sync.Operation;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncException;
import io.tether.sync.SyncRecord;
import io.tether.sync.Tether;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JPA replica fed pages and push answers a hub should never send, seeded: values of the wrong type for the entity, required fields
 * missing, strings longer than their columns, unknown fields and collections, ids that disagree with the data.
 * Whatever a page holds, the sync either applies it or fails with a {@link SyncException} that says what is wrong,
 * and then nothing of the page is applied and the cursor stays; a valid page afterwards syncs as usual. Likewise for
 * the records in the hub's answers to pushes. Rerun with
 * {@code -Dtether.seed=<seed>}.
 */
class HostileHubTest {
    private static final int PAGES = 150;

    /** Serves the page it is given, and answers pushes with what {@link #answer} makes of each change. */
    private static final class ScriptedHub implements SyncTransport {
        private final Schema schema;
        volatile PullResponse next = new PullResponse(List.of(), "c0", false);
        volatile Function<Change, PushResult> answer = c -> {
            throw new AssertionError("nothing should be pushed: " + c);
        };

        ScriptedHub(Schema schema) {
            this.schema = schema;
        }

        @Override
        public PushResponse push(PushRequest request) {
            return new PushResponse(request.changes().stream().map(answer).toList(), next.cursor());
        }

        /** The page, to a pull from any cursor but the page's own (the engine may retry a failed cycle itself). */
        @Override
        public PullResponse pull(PullRequest request) {
            PullResponse page = next;
            return page.cursor().equals(request.cursor()) ? new PullResponse(List.of(), page.cursor(), false) : page;
        }

        @Override
        public Schema schema() {
            return schema;
        }
    }

    private interface Scenario {
        void run(Random random, ScriptedHub hub, EntityManagerFactory emf, JpaReplicaStore store, ReplicaEngine engine);
    }

    /** A JPA replica on H2 syncing with a {@link ScriptedHub}, seeded. */
    private static void withReplica(Scenario scenario) {
        Seeded.run(seed -> {
            EntityManagerFactory hubEmf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
            EntityManagerFactory emf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
            ScriptedHub hub = new ScriptedHub(new JpaHubStore(hubEmf).schema());
            try (JpaReplicaStore store = new JpaReplicaStore(emf);
                 ReplicaEngine engine = Tether.replica().store(store).transport(hub).schema(hub.schema())
                         .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()) {
                scenario.run(new Random(seed), hub, emf, store, engine);
            } finally {
                emf.close();
                hubEmf.close();
            }
        });
    }

    @Test
    void pagesAHubShouldNeverSendAreAppliedWholeOrRefusedWhole() {
        withReplica((random, hub, emf, store, engine) -> pages(random, hub, store, engine));
    }

    /**
     * The hub's answers to pushes carry records too (merged, and conflicts it resolved): one the replica cannot store
     * leaves the batch unsettled and the records unchanged, with a message naming the change; a valid answer then
     * settles it.
     */
    @Test
    void answersAHubShouldNeverSendAreSettledWholeOrRefusedWhole() {
        withReplica((random, hub, emf, store, engine) -> {
            int refused = 0;
            for (int i = 0; i < ANSWERS; i++) {
                int count = 1 + random.nextInt(3);
                Jpa.tx(emf, em -> {
                    for (int n = 0; n < count; n++) {
                        String id = "t" + random.nextInt(8);
                        Task task = em.find(Task.class, id);
                        if (task == null) {
                            em.persist(new Task(id, "Local " + random.nextInt(100), "alice"));
                        } else {
                            task.title = "Local " + random.nextInt(100);
                        }
                    }
                });
                Map<String, Map<String, Object>> before = state(engine);
                long pending = engine.status().pendingChanges();
                StringBuilder what = new StringBuilder();
                hub.answer = change -> {
                    DeliveredChange merged = new DeliveredChange(change.collection(), change.id(), Operation.UPSERT,
                            ++version, change.data());
                    DeliveredChange answered = random.nextBoolean() ? merged : mutate(random, merged, what);
                    return new PushResult.Merged(change.changeId(), answered.version(), answered.data());
                };
                try {
                    engine.syncNow();
                    assertEquals(0, engine.status().pendingChanges(), "an answer that was stored settles the change");
                } catch (SyncException e) {
                    refused++;
                    assertTrue(e.getMessage().contains("could not be stored here")
                            && e.getMessage().contains("nothing of its batch was settled"), e.getMessage());
                    assertEquals(before, state(engine), "a refused answer changed records: " + what);
                    assertEquals(pending, engine.status().pendingChanges(), "a refused answer settled changes");
                    hub.answer = change -> new PushResult.Applied(change.changeId(), ++version);
                    engine.syncNow();
                    assertEquals(0, engine.status().pendingChanges(), "the valid answer settles the batch");
                }
            }
            assertFalse(refused == 0, "some answers were refused");
        });
    }

    private static final int ANSWERS = 60;

    private long version;
    private int cursor;

    private void pages(Random random, ScriptedHub hub, JpaReplicaStore store, ReplicaEngine engine) {
        int refused = 0;
        for (int i = 0; i < PAGES; i++) {
            Map<String, Map<String, Object>> before = state(engine);
            String cursorBefore = store.cursor().orElse(null);
            List<DeliveredChange> changes = new ArrayList<>();
            StringBuilder what = new StringBuilder();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                DeliveredChange valid = valid(random);
                DeliveredChange change = random.nextInt(3) == 0 ? valid : mutate(random, valid, what);
                changes.add(change);
            }
            hub.next = new PullResponse(changes, "c" + (++cursor), false);
            try {
                engine.syncNow();
            } catch (SyncException e) {
                refused++;
                assertTrue(e.getMessage() != null && e.getMessage().contains("nothing of the page was applied"),
                        "a refusal says what it left: " + e.getMessage());
                assertTrue(changes.stream().anyMatch(c -> e.getMessage().contains(c.collection() + "/" + c.id()))
                        || e.getMessage().contains("versions " + changes.get(0).version()),
                        "a refusal names the record or the page: " + e.getMessage());
                assertEquals(before, state(engine), "a refused page changed records: " + what + " " + changes);
                assertEquals(cursorBefore, store.cursor().orElse(null), "a refused page moved the cursor: " + changes);
                // a failure the engine sees as its own: the status shows it (and listeners hear of it, and it retries)
                assertEquals(e.getMessage(), engine.status().lastErrorMessage().orElse(null));
                // the replica goes on with a page it can apply
                hub.next = new PullResponse(List.of(valid(random)), "c" + (++cursor), false);
                engine.syncNow();
            }
        }
        assertFalse(refused == 0, "some pages were refused");
    }

    private static Map<String, Map<String, Object>> state(ReplicaEngine engine) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (String collection : List.of("tasks", "projects")) {
            for (SyncRecord r : engine.records().list(collection)) {
                out.put(collection + "/" + r.id(), r.data());
            }
        }
        return out;
    }

    /** A change the hub could send: a task or project of alice's, created, updated or deleted. */
    private DeliveredChange valid(Random random) {
        boolean task = random.nextInt(3) > 0;
        String id = (task ? "t" : "p") + random.nextInt(8);
        if (random.nextInt(8) == 0) {
            return new DeliveredChange(task ? "tasks" : "projects", id, Operation.DELETE, ++version, null);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        data.put("owner_id", "alice");
        if (task) {
            data.put("title", "Task " + random.nextInt(100));
            data.put("done", random.nextBoolean());
            data.put("priority", random.nextBoolean() ? null : random.nextInt(5));
            data.put("due", random.nextBoolean() ? null : "2026-12-0" + (1 + random.nextInt(9)) + "T10:00:00Z");
            data.put("project_id", null); // a reference the replica may lack would wait, which is not this test's
        } else {
            data.put("name", "Project " + random.nextInt(100));
        }
        return new DeliveredChange(task ? "tasks" : "projects", id, Operation.UPSERT, ++version, data);
    }

    private static DeliveredChange mutate(Random random, DeliveredChange change, StringBuilder what) {
        if (change.data() == null || random.nextInt(10) == 0) {
            what.append(" unknown collection;");
            return new DeliveredChange("nope", change.id(), change.op(), change.version(), change.data());
        }
        Map<String, Object> data = new LinkedHashMap<>(change.data());
        List<String> fields = new ArrayList<>(data.keySet());
        String field = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(5)) {
            case 0 -> {
                data.remove(field);
                what.append(" removed ").append(field).append(';');
            }
            case 1 -> {
                data.put(random.nextBoolean() ? "unknown" : "localNote", "x");
                what.append(" an unknown field;");
            }
            case 2 -> {
                Object junk = switch (random.nextInt(9)) {
                    case 0 -> "yes";
                    case 1 -> 42L;
                    case 2 -> 1.5;
                    case 3 -> true;
                    case 4 -> "x".repeat(300);
                    case 5 -> Long.MAX_VALUE;
                    case 6 -> List.of(1, 2);
                    case 7 -> Map.of("nested", true);
                    default -> "2026-13-45T25:61:61Z";
                };
                data.put(field, junk);
                what.append(' ').append(field).append('=').append(junk).append(';');
            }
            case 3 -> {
                data.put("id", change.id() + "-other");
                what.append(" data.id disagrees;");
            }
            default -> {
                data.put(field, null);
                what.append(' ').append(field).append("=null;");
            }
        }
        return new DeliveredChange(change.collection(), change.id(), change.op(), change.version(), data);
    }
}
