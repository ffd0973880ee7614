package io.tether.sync.core;

import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.Tether;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writers (pushes and the hub application's own writes) commit concurrently while pullers pull continuously:
 * every puller sees every committed change, in version order, with no gap.
 */
class ConcurrentHubTest {
    @Test
    void everyCommittedChangeReachesEveryPuller() throws Exception {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        try {
            run(seed);
        } catch (AssertionError | Exception e) {
            throw new AssertionError("seed=" + seed + " (rerun with -Dtether.seed=" + seed + ")", e);
        }
    }

    private void run(long seed) throws Exception {
        MemoryHubStore store = MemoryStore.hub();
        Principal alice = Principal.of("alice");
        int writers = 8;
        int writesEach = 300;
        int pullers = 4;
        try (HubEngine hub = Tether.hub().store(store).collection(SyncFixture.TASKS).build().start()) {
            ExecutorService pool = Executors.newFixedThreadPool(writers + pullers);
            AtomicBoolean writing = new AtomicBoolean(true);
            CountDownLatch go = new CountDownLatch(1);
            Map<String, Long> lastVersionOf = new ConcurrentHashMap<>();
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Random random = new Random(seed + w);
                writes.add(pool.submit(() -> {
                    go.await();
                    String client = UUID.randomUUID().toString();
                    for (int i = 0; i < writesEach; i++) {
                        String id = "w" + writer + "-" + random.nextInt(40);
                        Map<String, Object> data = new HashMap<>();
                        data.put("id", id);
                        data.put("title", "write " + i);
                        data.put("owner_id", "alice");
                        if (random.nextBoolean()) {
                            store.put("tasks", id, data);
                        } else {
                            long base = store.get("tasks", id).map(r -> r.version()).orElse(0L);
                            hub.service().push(alice, new PushRequest(client, List.of(new Change(
                                    Change.changeId(client, i + 1), "tasks", id, Operation.UPSERT, data, null, base,
                                    null))));
                        }
                    }
                    return null;
                }));
            }
            List<Future<List<DeliveredChange>>> pulls = new ArrayList<>();
            for (int p = 0; p < pullers; p++) {
                int limit = 1 + new Random(seed * 31 + p).nextInt(50);
                pulls.add(pool.submit(() -> {
                    go.await();
                    List<DeliveredChange> seen = new ArrayList<>();
                    String cursor = hub.service().cursorAt(0);
                    boolean last = false;
                    while (true) {
                        boolean finalRound = !writing.get();
                        PullResponse page;
                        do {
                            page = hub.service().pull(alice, new PullRequest(cursor, limit, Set.of()));
                            seen.addAll(page.changes());
                            cursor = page.cursor();
                        } while (page.hasMore());
                        if (finalRound) {
                            return seen;
                        }
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : writes) {
                f.get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            long head = store.headVersion();
            assertEquals(writers * writesEach, head, "every write committed one version");
            for (Future<List<DeliveredChange>> f : pulls) {
                List<DeliveredChange> seen = f.get(60, TimeUnit.SECONDS);
                assertEquals(head, seen.size(), "a puller missed or repeated changes");
                for (int i = 0; i < seen.size(); i++) {
                    assertEquals(i + 1, seen.get(i).version(), "changes arrive in commit order without gaps");
                }
                assertTrue(seen.stream().allMatch(d -> d.op() == Operation.UPSERT));
            }
            pool.shutdownNow();
        }
    }
}
