package io.tether.sync.rest;

import io.tether.sync.ChangeEvent;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.Operation;
import io.tether.sync.SyncException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tether.sync.rest.RestFixture.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas sync through a {@link FaultProxy} that drops requests, drops responses after the hub applied them,
 * cuts requests off, resets connections and delays exchanges. Afterwards, with the network healed, nothing is
 * lost (the hub and every replica hold exactly what the devices last wrote) and nothing was applied twice (every
 * write, identified by its unique title, was committed on the hub at most once). Seeded: {@code -Dfault.seed=N}.
 */
class FaultIT {
    static final long SEED = Long.getLong("fault.seed", 20261122L);
    static final int ROUNDS = 40;

    @Test
    void nothingLostNothingAppliedTwiceUnderNetworkFaults() throws Exception {
        String seed = "[seed " + SEED + "] ";
        Random random = new Random(SEED);
        try (RestFixture f = new RestFixture(ConflictPolicy.FIELD_MERGE);
             FaultProxy proxy = new FaultProxy(f.server.uri(), SEED, 0.35)) {
            Map<String, AtomicInteger> commitsPerTitle = new ConcurrentHashMap<>();
            f.hub.onChange(batch -> {
                for (ChangeEvent e : batch.changes()) {
                    if (e.op() == Operation.UPSERT && e.after() != null) {
                        commitsPerTitle.computeIfAbsent((String) e.after().get("title"), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }
            });
            List<RestFixture.Device> devices = List.of(
                    f.device("alice", proxy.uri(), FaultIT::tune), f.device("alice", proxy.uri(), FaultIT::tune));
            // what each device last wrote, by record id (null = deleted); devices write disjoint ids
            Map<String, Map<String, Object>> expected = new TreeMap<>();
            int failedCycles = 0;
            for (int round = 0; round < ROUNDS; round++) {
                for (int d = 0; d < devices.size(); d++) {
                    RestFixture.Device device = devices.get(d);
                    for (int w = 0, writes = 1 + random.nextInt(4); w < writes; w++) {
                        String id = "d" + d + "-r" + random.nextInt(12);
                        boolean exists = device.store().get("tasks", id).isPresent();
                        if (exists && random.nextInt(5) == 0) {
                            device.store().delete("tasks", id);
                            expected.put(id, null);
                        } else {
                            Map<String, Object> data = RestFixture.task(id, id + " w" + round + "." + w,
                                    random.nextBoolean());
                            data.put("owner_id", "alice");
                            device.store().put("tasks", id, data);
                            expected.put(id, data);
                        }
                    }
                    try {
                        device.engine().syncNow();
                    } catch (SyncException e) {
                        failedCycles++;
                    }
                }
            }
            proxy.faultRate(0);
            for (int pass = 0; pass < 3; pass++) {
                for (RestFixture.Device device : devices) {
                    device.engine().syncNow();
                }
            }
            Map<String, Map<String, Object>> live = new TreeMap<>();
            expected.forEach((id, data) -> {
                if (data != null) {
                    live.put(id, data);
                }
            });
            String faults = seed + "faults injected " + proxy.injected + ", failed cycles " + failedCycles;
            assertTrue(proxy.injected.get(FaultProxy.Fault.DROP_RESPONSE).get() > 0, faults);
            assertTrue(proxy.injected.get(FaultProxy.Fault.DROP_REQUEST).get() > 0, faults);
            assertEquals(live, state(f.hubStore), faults + ": the hub holds every device's last write");
            for (RestFixture.Device device : devices) {
                assertEquals(live, state(device.store()), faults + ": every replica converged");
                assertEquals(0, device.engine().status().pendingChanges(), faults);
            }
            Map<String, Integer> twice = new HashMap<>();
            commitsPerTitle.forEach((title, n) -> {
                if (n.get() > 1) {
                    twice.put(title, n.get());
                }
            });
            assertEquals(Map.of(), twice, faults + ": writes committed more than once");
            System.out.println(faults);
        }
    }

    static RestTransport.Builder tune(RestTransport.Builder b) {
        return b.maxAttempts(3).requestTimeout(Duration.ofSeconds(2)).backoff(Duration.ofMillis(5),
                Duration.ofMillis(50)).jitterSeed(SEED);
    }
}
