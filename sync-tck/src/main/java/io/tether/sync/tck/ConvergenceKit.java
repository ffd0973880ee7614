package io.tether.sync.tck;

import io.tether.sync.Conflict;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncException;
import io.tether.sync.SyncRecord;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Invariant 6 under a hostile network: a seeded random run of a hub and several replicas, each replica behind a
 * {@link FaultyTransport} (dropped requests and answers, duplicates, delays, late deliveries, resets), with random
 * creates, updates, deletes and conflicting edits, replica crashes and hub restarts. At quiescence (faults off,
 * every replica syncs until nothing moves, at least twice) every replica holds exactly the hub's records for its
 * scopes, and every record only one replica ever wrote holds that replica's last write.
 *
 * <pre>{@code
 * class MemoryConvergenceTest extends ConvergenceKit {
 *     @Override protected HubStore createHubStore() { return MemoryStore.hub(); }
 *     @Override protected ReplicaStore createReplicaStore() { return MemoryStore.replica(); }
 * }
 * }</pre>
 *
 * Each seed is one run; failures name the seed: pass it back with {@code -Dtether.tck.seed=<n>}, and choose the
 * number of seeds with {@code -Dtether.tck.seeds=<k>}. Rules are named {@code [convergence-N]}.
 */
public abstract class ConvergenceKit {

    /** A fresh hub store. */
    protected abstract HubStore createHubStore();

    /** A fresh replica store. */
    protected abstract ReplicaStore createReplicaStore();

    /** The network between a replica and the hub. Default: direct calls into {@link HubEngine#service()}. */
    protected SyncTransport createTransport(HubEngine hub, String bearerToken) {
        return new HubServiceTransport(hub.service(), bearerToken);
    }

    /** The hub store after a restart; the old one's engine was closed. Default: the same instance. */
    protected HubStore restartHubStore(HubStore old) {
        return old;
    }

    /** The replica store after a crash; the old one's engine was closed. Default: the same instance. */
    protected ReplicaStore restartReplicaStore(ReplicaStore old) {
        return old;
    }

    /** The hub's conflict policy. Default: field-merge. */
    protected ConflictPolicy conflictPolicy() {
        return ConflictPolicy.FIELD_MERGE;
    }

    /** The run's shape. */
    protected ConvergenceSettings settings() {
        return ConvergenceSettings.defaults();
    }

    @TestFactory
    @DisplayName("convergence under faults")
    Stream<DynamicNode> convergence() {
        return Seeds.many(settings().defaultSeeds()).stream().map(seed -> {
            Run run = new Run(seed);
            return DynamicContainer.dynamicContainer("seed=" + seed, Stream.of(
                    DynamicTest.dynamicTest("[convergence-1] every replica holds exactly the hub's records for its"
                            + " scopes (seed=" + seed + ")", () -> run.result().assertReplicasEqualHub()),
                    DynamicTest.dynamicTest("[convergence-2] every single-writer record holds its writer's last"
                            + " write (seed=" + seed + ")", () -> run.result().assertLastWritesKept()),
                    DynamicTest.dynamicTest("[convergence-3] nothing is left pending, rejected or in conflict"
                            + " (seed=" + seed + ")", () -> run.result().assertNothingStuck())));
        });
    }

    /** One seeded run, executed once on first use. */
    private final class Run {
        private final long seed;
        private Outcome outcome;
        private Throwable failure;

        Run(long seed) {
            this.seed = seed;
        }

        Outcome result() {
            if (outcome == null && failure == null) {
                try {
                    outcome = new Simulation(seed).run();
                } catch (Throwable t) {
                    failure = t;
                }
            }
            if (failure instanceof org.opentest4j.TestAbortedException skipped) {
                throw skipped;   // a factory's assumption failed (for example its database is not reachable)
            }
            if (failure != null) {
                throw new AssertionError("the run failed before quiescence: " + failure + "; " + Seeds.rerun(seed),
                        failure);
            }
            return outcome;
        }
    }

    /** A replica: its principal, store, network and engine. */
    private final class Node {
        final String name;
        final String principal;
        ReplicaStore store;
        FaultyTransport network;
        ReplicaEngine engine;

        Node(String name, String principal) {
            this.name = name;
            this.principal = principal;
        }
    }

    private static final String DELETED = "<deleted>";

    /** The simulated world for one seed. */
    private final class Simulation {
        private final long seed;
        private final Random random;
        private final ConvergenceSettings settings = settings();
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Object> lastSoloWrite = new TreeMap<>();
        private final Map<String, Node> soloOwner = new LinkedHashMap<>();
        private final List<String> log = new ArrayList<>();
        private final Map<String, Integer> stats = new TreeMap<>();
        private final Map<FaultyTransport.Fault, Integer> faults = new TreeMap<>();
        private HubStore hubStore;
        private HubEngine hub;
        private int counter;

        Simulation(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
        }

        Outcome run() {
            hubStore = createHubStore();
            hub = startHub(hubStore);
            for (int i = 0; i < settings.replicas(); i++) {
                Node node = new Node("r" + i, i == settings.replicas() - 1 ? "bob" : "alice");
                node.store = createReplicaStore();
                node.network = new FaultyTransport(createTransport(hub, TckHub.token(node.principal)),
                        random.nextLong(), settings.faultRate());
                node.engine = startReplica(node);
                nodes.add(node);
            }
            try {
                for (int step = 0; step < settings.steps(); step++) {
                    step(step);
                }
                return quiesce();
            } finally {
                nodes.forEach(n -> {
                    n.engine.close();
                    retire(n.network);
                });
                hub.close();
            }
        }

        private HubEngine startHub(HubStore store) {
            return TckHub.builder(store).conflictPolicy(conflictPolicy()).build().start();
        }

        private ReplicaEngine startReplica(Node node) {
            return Tether.replica()
                    .store(node.store)
                    .transport(node.network)
                    .schema(TckSchema.SCHEMA)
                    .pollInterval(Duration.ZERO)
                    .debounce(Duration.ZERO)
                    .retryBackoff(Duration.ofHours(1), Duration.ofHours(1))
                    .pushBatchSize(1 + random.nextInt(5))
                    .pullPageSize(1 + random.nextInt(7))
                    .jitterSeed(seed)
                    .build()
                    .start();
        }

        private void step(int step) {
            Node node = nodes.get(random.nextInt(nodes.size()));
            int dice = random.nextInt(100);
            if (dice < 27) {
                soloWrite(node);
            } else if (dice < 42) {
                sharedWrite(node);
            } else if (dice < 50) {
                conflictingEdits();
            } else if (dice < 56) {
                hubWrite();
            } else if (dice < 88) {
                sync(node);
            } else if (dice < 95 && settings.replicaRestarts()) {
                note(step + " crash and restart " + node.name);
                count("replica restarts");
                node.engine.close();
                retire(node.network);
                node.store = restartReplicaStore(node.store);
                node.network = new FaultyTransport(createTransport(hub, TckHub.token(node.principal)),
                        random.nextLong(), settings.faultRate());
                node.engine = startReplica(node);
            } else if (dice < 98 && settings.hubRestarts()) {
                note(step + " hub restart");
                count("hub restarts");
                hub.close();
                hubStore = restartHubStore(hubStore);
                hub = startHub(hubStore);
                nodes.forEach(n -> n.network.retarget(createTransport(hub, TckHub.token(n.principal))));
            } else {
                sync(node);
            }
        }

        /**
         * A record only this node ever writes: create, update or delete it. Like an application, the writer edits
         * only records it can see.
         */
        private void soloWrite(Node node) {
            List<String> mine = soloOwner.entrySet().stream().filter(e -> e.getValue() == node)
                    .filter(e -> lastSoloWrite.get(e.getKey()) != DELETED)
                    .filter(e -> node.engine.records().get("tasks", e.getKey()).isPresent())
                    .map(Map.Entry::getKey).toList();
            if (mine.isEmpty() || random.nextInt(4) == 0) {
                String id = "solo-" + node.name + "-" + (++counter);
                Map<String, Object> data = TckSchema.task(id, node.principal, "v" + counter, false, (long) counter);
                node.store.put("tasks", id, data);
                count("writes");
                soloOwner.put(id, node);
                lastSoloWrite.put(id, data);
                return;
            }
            String id = mine.get(random.nextInt(mine.size()));
            if (random.nextInt(6) == 0) {
                node.store.delete("tasks", id);
                lastSoloWrite.put(id, DELETED);
            } else {
                Map<String, Object> data = TckSchema.task(id, node.principal, "v" + (++counter), random.nextBoolean(),
                        (long) counter);
                node.store.put("tasks", id, data);
                lastSoloWrite.put(id, data);
            }
        }

        /** Shared records: tasks of the node's principal, or notes everybody shares. Conflicts happen here. */
        private void sharedWrite(Node node) {
            boolean note = random.nextBoolean();
            String collection = note ? "notes" : "tasks";
            List<SyncRecord> shared = node.engine.records().list(collection).stream()
                    .filter(r -> r.id().startsWith("shared-")).toList();
            if (shared.isEmpty() || random.nextInt(5) == 0) {
                String id = "shared-" + node.name + "-" + (++counter);
                node.store.put(collection, id, note ? TckSchema.note(id, "n" + counter)
                        : TckSchema.task(id, node.principal, "t" + counter, false, null));
                return;
            }
            SyncRecord target = shared.get(random.nextInt(shared.size()));
            if (random.nextInt(8) == 0) {
                node.store.delete(collection, target.id());
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>(target.data());
            if (note) {
                data.put("text", node.name + "-" + (++counter));
            } else if (random.nextBoolean()) {
                data.put("title", node.name + "-" + (++counter));
            } else {
                data.put("done", random.nextBoolean());
                data.put("n", (long) (++counter));
            }
            node.store.put(collection, target.id(), data);
        }

        /** Two replicas edit the same note before either syncs: the second push meets a conflict. */
        private void conflictingEdits() {
            Node a = nodes.get(random.nextInt(nodes.size()));
            Node b = nodes.get(random.nextInt(nodes.size()));
            List<SyncRecord> common = a.engine.records().list("notes").stream()
                    .filter(r -> b.engine.records().get("notes", r.id()).isPresent()).toList();
            if (a == b || common.isEmpty()) {
                sharedWrite(a);
                return;
            }
            String id = common.get(random.nextInt(common.size())).id();
            count("conflicting edits");
            for (Node n : List.of(a, b)) {
                if (random.nextInt(6) == 0) {
                    n.store.delete("notes", id);
                } else {
                    n.store.put("notes", id, TckSchema.note(id, n.name + "-" + (++counter)));
                }
            }
            sync(a);
            sync(b);
        }

        /** The hub's own application writes a shared note. */
        private void hubWrite() {
            List<SyncRecord> notes = hub.records().list("notes");
            String id = notes.isEmpty() || random.nextInt(3) == 0 ? "shared-hub-" + (++counter)
                    : notes.get(random.nextInt(notes.size())).id();
            hubStore.put("notes", id, TckSchema.note(id, "hub-" + (++counter)));
        }

        private void sync(Node node) {
            try {
                SyncReport report = node.engine.syncNow();
                count("syncs");
                stats.merge("conflicts", report.conflicts(), Integer::sum);
                stats.merge("pushed", report.pushed(), Integer::sum);
                stats.merge("pulled", report.pulled(), Integer::sum);
            } catch (SyncException expected) {
                count("failed syncs"); // faults make cycles fail; the next cycle retries
            }
        }

        private void count(String what) {
            stats.merge(what, 1, Integer::sum);
        }

        private void retire(FaultyTransport network) {
            network.injected().forEach((f, n) -> faults.merge(f, n, Integer::sum));
            network.shutdown();
        }

        private void note(String event) {
            log.add(event);
        }

        private Outcome quiesce() {
            nodes.forEach(n -> {
                n.network.faults(false);
                n.network.flush();
            });
            nodes.forEach(n -> n.network.injected().forEach((f, k) -> faults.merge(f, k, Integer::sum)));
            System.out.printf("[convergence] %s: %d replicas, %d steps, %d hub tasks, %d hub notes, %s, faults %s%n",
                    Seeds.rerun(seed), nodes.size(), settings.steps(), hub.records().count("tasks"),
                    hub.records().count("notes"), stats, faults);
            int quietRounds = 0;
            for (int round = 0; round < 12 && quietRounds < 2; round++) {
                boolean moved = false;
                for (Node n : nodes) {
                    for (Conflict c : n.engine.conflicts().list()) {
                        n.engine.conflicts().acceptHub(c);
                        moved = true;
                    }
                    SyncReport report = n.engine.syncNow();
                    moved |= report.pushed() + report.pulled() + report.conflicts() + report.rejected() > 0;
                }
                quietRounds = moved ? 0 : quietRounds + 1;
            }
            return new Outcome(seed, nodes, hub, lastSoloWrite, quietRounds >= 2, log);
        }
    }

    /** What a run left behind, and the rules' checks on it. */
    private static final class Outcome {
        private final String where;
        private final Map<String, Map<String, Map<String, Object>>> hubByScope = new TreeMap<>();
        private final Map<String, Map<String, Map<String, Object>>> replicas = new TreeMap<>();
        private final Map<String, String> principals = new TreeMap<>();
        private final Map<String, Object> lastSoloWrite;
        private final Map<String, Map<String, Object>> hubTasks = new TreeMap<>();
        private final Map<String, String> stuck = new TreeMap<>();
        private final boolean settled;

        Outcome(long seed, List<Node> nodes, HubEngine hub, Map<String, Object> lastSoloWrite, boolean settled,
                List<String> log) {
            this.where = Seeds.rerun(seed) + "; events: " + log;
            this.lastSoloWrite = new TreeMap<>(lastSoloWrite);
            this.settled = settled;
            hub.records().list("tasks").forEach(r -> hubTasks.put(r.id(), r.data()));
            for (Node n : nodes) {
                principals.put(n.name, n.principal);
                Map<String, Map<String, Object>> visible = new TreeMap<>();
                hub.records().list("tasks").stream().filter(r -> n.principal.equals(r.data().get("owner_id")))
                        .forEach(r -> visible.put("tasks/" + r.id(), r.data()));
                hub.records().list("notes").forEach(r -> visible.put("notes/" + r.id(), r.data()));
                hubByScope.put(n.principal, visible);
                Map<String, Map<String, Object>> local = new TreeMap<>();
                n.engine.records().list("tasks").forEach(r -> local.put("tasks/" + r.id(), r.data()));
                n.engine.records().list("notes").forEach(r -> local.put("notes/" + r.id(), r.data()));
                replicas.put(n.name, local);
                var status = n.engine.status();
                if (status.pendingChanges() + status.rejectedChanges() + status.openConflicts() > 0) {
                    stuck.put(n.name, status.toString());
                }
            }
        }

        void assertReplicasEqualHub() {
            assertTrue(settled, "replicas still exchanged changes after 12 rounds without faults; " + where);
            replicas.forEach((name, local) -> {
                Map<String, Map<String, Object>> expected = hubByScope.get(principals.get(name));
                if (!expected.equals(local)) {
                    fail("replica " + name + " (" + principals.get(name) + ") differs from the hub: "
                            + difference(expected, local) + "; " + where);
                }
            });
        }

        void assertLastWritesKept() {
            lastSoloWrite.forEach((id, last) -> {
                Map<String, Object> onHub = hubTasks.get(id);
                if (last == DELETED) {
                    assertEquals(null, onHub, "solo record " + id + " was deleted last but lives on the hub; " + where);
                } else {
                    assertEquals(last, onHub, "solo record " + id + " lost its writer's last write; " + where);
                }
            });
        }

        void assertNothingStuck() {
            assertTrue(stuck.isEmpty(), "replicas with pending, rejected or conflicting changes at quiescence: "
                    + stuck + "; " + where);
        }

        private static String difference(Map<String, Map<String, Object>> hub, Map<String, Map<String, Object>> local) {
            List<String> out = new ArrayList<>();
            hub.forEach((k, v) -> {
                if (!local.containsKey(k)) {
                    out.add("missing " + k);
                } else if (!v.equals(local.get(k))) {
                    out.add(k + " is " + local.get(k) + " but the hub has " + v);
                }
            });
            local.keySet().stream().filter(k -> !hub.containsKey(k)).forEach(k -> out.add("extra " + k));
            return out.size() > 10 ? out.subList(0, 10) + " and " + (out.size() - 10) + " more" : out.toString();
        }
    }
}
