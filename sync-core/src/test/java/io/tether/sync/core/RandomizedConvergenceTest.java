package io.tether.sync.core;

import io.tether.sync.Conflict;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncException;
import io.tether.sync.Tether;
import io.tether.sync.spi.Principal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hub and four replicas doing random creates, updates and deletes, with random offline periods, lost requests,
 * lost answers, duplicated pushes and replica restarts. At quiescence every replica equals the hub, every record
 * with a single writer holds exactly that writer's last state, and every field of a shared record holds a value
 * some replica wrote. Seeds: {@code -Dtether.seeds=N} (default 25 per policy), {@code -Dtether.seed=S} for one.
 */
class RandomizedConvergenceTest {
    private static final int REPLICAS = 4;
    private static final int STEPS = 300;

    static Stream<Arguments> runs() {
        String one = System.getProperty("tether.seed");
        int seeds = Integer.getInteger("tether.seeds", 25);
        List<Arguments> out = new ArrayList<>();
        for (ConflictPolicy policy : ConflictPolicy.values()) {
            if (one != null) {
                out.add(Arguments.of(policy, Long.parseLong(one)));
            } else {
                for (long s = 1; s <= seeds; s++) {
                    out.add(Arguments.of(policy, s * 7919 + policy.ordinal()));
                }
            }
        }
        return out.stream();
    }

    private static final class Node {
        final MemoryReplicaStore store = MemoryStore.replica();
        final FlakyTransport link;
        final InProcessTransport wire;
        ReplicaEngine engine;
        final Map<String, Map<String, Object>> lastOwnWrite = new HashMap<>();

        Node(HubEngine hub, Random random) {
            wire = new InProcessTransport(hub.service(), Principal.of("alice"));
            link = new FlakyTransport(wire, new Random(random.nextLong()), 0.2);
        }

        void start(long seed) {
            engine = Tether.replica().store(store).transport(link).schema(SyncFixture.SCHEMA)
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).jitterSeed(seed)
                    .retryBackoff(Duration.ofHours(1), Duration.ofHours(1)).build().start();
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("runs")
    void replicasConvergeAndKeepAcknowledgedWrites(ConflictPolicy policy, long seed) {
        try {
            run(policy, seed);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("policy=" + policy.wireName() + " seed=" + seed
                    + " (rerun with -Dtether.seed=" + seed + "): " + e.getMessage(), e);
        }
    }

    private void run(ConflictPolicy policy, long seed) {
        Random random = new Random(seed);
        MemoryHubStore hubStore = MemoryStore.hub();
        HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).conflictPolicy(policy).build()
                .start();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            Node n = new Node(hub, random);
            n.start(seed + i);
            nodes.add(n);
        }
        Set<String> shared = Set.of("s1", "s2", "s3");
        Map<String, Set<Object>> writtenValues = new HashMap<>();
        try {
            for (int step = 0; step < STEPS; step++) {
                int who = random.nextInt(REPLICAS);
                Node n = nodes.get(who);
                switch (random.nextInt(10)) {
                    case 0, 1, 2, 3 -> write(n, who, random, shared, writtenValues);
                    case 4 -> deleteOne(n, who, random, shared);
                    case 5, 6 -> sync(n);
                    case 7 -> {
                        if (n.wire.isOffline()) {
                            n.wire.reconnect();
                        } else {
                            n.wire.disconnect();
                        }
                    }
                    case 8 -> {
                        n.engine.close();
                        n.start(random.nextLong());
                    }
                    default -> sync(nodes.get(random.nextInt(REPLICAS)));
                }
            }
            quiesce(nodes, random, hubStore);
            Map<String, Map<String, Object>> expected = SyncFixture.state(hubStore);
            for (int i = 0; i < REPLICAS; i++) {
                Node n = nodes.get(i);
                assertEquals(0, n.engine.status().pendingChanges(), "replica " + i + " still has pending changes: "
                        + n.engine.status() + " " + n.engine.rejected() + " " + n.engine.conflicts().list()
                        + " " + n.store.outbox(java.util.EnumSet.allOf(io.tether.sync.spi.OutboxState.class), 10));
                Map<String, Map<String, Object>> actual = SyncFixture.state(n.store);
                for (String id : union(expected.keySet(), actual.keySet())) {
                    assertEquals(expected.get(id), actual.get(id), "replica " + i + " differs from the hub on " + id);
                }
                for (Map.Entry<String, Map<String, Object>> own : n.lastOwnWrite.entrySet()) {
                    assertEquals(own.getValue(), expected.get(own.getKey()),
                            "single-writer record " + own.getKey() + " lost its last acknowledged write");
                }
            }
            for (String id : shared) {
                Map<String, Object> data = expected.get(id);
                if (data == null) {
                    continue;
                }
                for (String field : List.of("title", "done", "priority")) {
                    Object v = data.get(field);
                    assertTrue(writtenValues.getOrDefault(id + "." + field, Set.of()).contains(v),
                            "shared record " + id + " field " + field + " holds " + v + ", which nobody wrote");
                }
            }
        } finally {
            nodes.forEach(n -> n.engine.close());
            hub.close();
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static void write(Node n, int who, Random random, Set<String> shared,
                              Map<String, Set<Object>> writtenValues) {
        boolean onShared = random.nextInt(3) == 0;
        String id = onShared ? "s" + (1 + random.nextInt(3)) : "r" + who + "-" + random.nextInt(6);
        Map<String, Object> data = new LinkedHashMap<>(n.store.get("tasks", id).map(r -> r.data())
                .orElse(Map.of("id", id, "title", "new " + id, "done", false)));
        switch (random.nextInt(3)) {
            case 0 -> data.put("title", "t" + random.nextInt(1000));
            case 1 -> data.put("done", random.nextBoolean());
            default -> data.put("priority", (long) random.nextInt(5));
        }
        n.store.put("tasks", id, data);
        Map<String, Object> stored = n.store.get("tasks", id).orElseThrow().data();
        if (onShared) {
            for (String f : List.of("title", "done", "priority")) {
                writtenValues.computeIfAbsent(id + "." + f, k -> new java.util.HashSet<>()).add(stored.get(f));
            }
        } else {
            Map<String, Object> expected = new LinkedHashMap<>(stored);
            expected.put("owner_id", "alice");
            SyncFixture.TASKS.fields().forEach(f -> expected.putIfAbsent(f.name(), null));
            n.lastOwnWrite.put(id, expected);
        }
    }

    private static void deleteOne(Node n, int who, Random random, Set<String> shared) {
        boolean onShared = random.nextInt(4) == 0;
        String id = onShared ? "s" + (1 + random.nextInt(3)) : "r" + who + "-" + random.nextInt(6);
        n.store.delete("tasks", id);
        if (!onShared) {
            n.lastOwnWrite.put(id, null);
        }
    }

    private static void sync(Node n) {
        try {
            n.engine.syncNow();
        } catch (SyncException expected) {
            // offline or a fault: the outbox keeps everything for the next cycle
        }
    }

    /**
     * Faults off, every open conflict resolved (randomly: accept the hub's state or keep the local one), and sync
     * rounds until nothing is pending anywhere and every replica equals the hub. Resolving a conflict asks for a
     * background sync, so the end is judged by state, not by what one call to {@code syncNow} did.
     */
    private static void quiesce(List<Node> nodes, Random random, MemoryHubStore hub) {
        for (Node n : nodes) {
            n.wire.reconnect();
            n.link.faultRate(0);
        }
        for (int round = 0; ; round++) {
            assertTrue(round < 20, "replicas did not settle within 20 rounds");
            for (Node n : nodes) {
                for (Conflict c : n.engine.conflicts().list()) {
                    if (random.nextBoolean()) {
                        n.engine.conflicts().acceptHub(c);
                    } else {
                        n.engine.conflicts().keepLocal(c);
                    }
                }
                try {
                    n.engine.syncNow();
                } catch (SyncException e) {
                    fail("sync failed after faults were turned off: " + e);
                }
            }
            boolean settled = true;
            for (Node n : nodes) {
                n.engine.syncNow();
                settled &= n.engine.status().pendingChanges() == 0
                        && SyncFixture.state(n.store).equals(SyncFixture.state(hub));
            }
            if (settled) {
                return;
            }
        }
    }
}
