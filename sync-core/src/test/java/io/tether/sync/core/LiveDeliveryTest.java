package io.tether.sync.core;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.spi.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A replica on a live transport receives the hub's commits without syncing, and gets every one of them. */
class LiveDeliveryTest {
    private interface LiveTest {
        void run(MemoryHubStore hubStore, MemoryReplicaStore store, ReplicaEngine engine) throws Exception;
    }

    /** Runs {@code test} against a hub on a memory store and a replica on a live in-process transport. */
    private static void withLiveReplica(LiveTest test) throws Exception {
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).build().start()) {
            MemoryReplicaStore store = MemoryStore.replica();
            try (ReplicaEngine engine = Tether.replica().store(store)
                    .transport(InProcessTransport.live(hub.service(), Principal.of("alice")))
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()) {
                test.run(hubStore, store, engine);
            }
        }
    }

    /** Waits up to 10 s for the replica to hold what the hub holds. */
    private static void awaitSameState(MemoryHubStore hubStore, MemoryReplicaStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!SyncFixture.state(store).equals(SyncFixture.state(hubStore)) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void hubCommitsArriveLiveInOrder() throws Exception {
        withLiveReplica((hubStore, store, engine) -> {
            engine.syncNow();
            for (int i = 0; i < 200; i++) {
                Map<String, Object> t = new HashMap<>();
                t.put("id", "t" + (i % 20));
                t.put("title", "write " + i);
                t.put("owner_id", "alice");
                hubStore.put("tasks", "t" + (i % 20), t);
            }
            awaitSameState(hubStore, store);
            assertEquals(SyncFixture.state(hubStore), SyncFixture.state(store));
            assertTrue(engine.status().live());
            assertEquals("write 199", store.get("tasks", "t19").orElseThrow().data().get("title"));
        });
    }

    /**
     * Dismissing a rejected change makes the next pull an initial sync; live pages still arriving must not set a
     * cursor again before it runs, or the record would keep the dismissed edit.
     */
    @Test
    void aDismissWhileLivePagesArriveStillRestoresTheRecord() throws Exception {
        withLiveReplica((hubStore, store, engine) -> {
            hubStore.put("tasks", "t1", Map.of("id", "t1", "title", "as the hub has it", "owner_id", "alice"));
            engine.syncNow();
            store.put("tasks", "t1", Map.of("id", "t1", "title", "edited here", "priority", "high"));
            engine.syncNow();
            assertEquals(1, engine.rejected().size());
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    hubStore.put("tasks", "w" + (i % 50), Map.of("id", "w" + (i % 50), "title", "write " + i,
                            "owner_id", "alice"));
                }
            });
            writer.start();
            engine.dismiss(engine.rejected().get(0));
            writer.join();
            awaitSameState(hubStore, store);
            assertEquals("as the hub has it", store.get("tasks", "t1").orElseThrow().data().get("title"));
            assertEquals(SyncFixture.state(hubStore), SyncFixture.state(store));
        });
    }
}
