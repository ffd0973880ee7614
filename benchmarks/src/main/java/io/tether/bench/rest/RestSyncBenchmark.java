package io.tether.bench.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Schema;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sync throughput over real HTTP on 127.0.0.1, hub and replica on the in-memory stores (plugin-jpa is benchmarked
 * separately): initial sync of N tasks from a hub to a fresh replica, then pushing N changes from a replica.
 * This measures the whole engine; {@link RestTransportBenchmark} isolates what the REST layer costs. (At the time of
 * writing the memory replica store scans its whole outbox per local write, so the push half is quadratic.)
 *
 * <pre>
 * java -Xmx1g -cp ... io.tether.bench.rest.RestSyncBenchmark [records=100000] [pageSize=5000] [pushBatch=1000]
 *      [phases=initial,push]
 * </pre>
 */
public final class RestSyncBenchmark {
    static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false)
            .field("done", FieldType.BOOLEAN, false)
            .field("project_id", FieldType.STRING, true)
            .field("priority", FieldType.INTEGER, true)
            .build();
    static final Schema SCHEMA = new Schema(1, List.of(TASKS));

    private RestSyncBenchmark() {
    }

    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int pageSize = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int pushBatch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String phases = args.length > 3 ? args[3] : "initial,push";
        String secret = JwtIssuer.randomSecret();
        String token = new JwtIssuer(secret).issue("alice", Duration.ofHours(2));

        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(TASKS)
                .authenticator(JwtAuthenticator.hs256(secret).build()).build().start();
             TetherServer server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).build()
                     .start()) {
            for (int i = 0; i < records; i++) {
                hubStore.put("tasks", "h" + i, task("h" + i, i));
            }
            System.out.printf("rest benchmark (memory stores, HTTP on 127.0.0.1): %,d records, page %d, push batch %d, "
                    + "max heap %d MiB%n", records, pageSize, pushBatch, Runtime.getRuntime().maxMemory() >> 20);

            if (phases.contains("initial")) {
                initialSync(server, token, records, pageSize, pushBatch);
            }
            if (phases.contains("push")) {
                push(server, token, hubStore, records, pageSize, pushBatch);
            }
        }
    }

    static void initialSync(TetherServer server, String token, int records, int pageSize, int pushBatch) {
        MemoryReplicaStore fresh = MemoryStore.replica();
        try (ReplicaEngine replica = replica(server, token, fresh, pageSize, pushBatch)) {
            resetPeak();
            long start = System.nanoTime();
            SyncReport report = replica.syncNow();
            double seconds = (System.nanoTime() - start) / 1e9;
            check(report.pulled() == records, "pulled " + report.pulled() + " of " + records);
            System.out.printf("initial sync: %,d records in %.2f s = %,.0f records/s (peak heap %d MiB)%n",
                    records, seconds, records / seconds, peakHeapMiB());
        }
    }

    static void push(TetherServer server, String token, MemoryHubStore hubStore, int records, int pageSize,
                     int pushBatch) {
        MemoryReplicaStore device = MemoryStore.replica();
        try (ReplicaEngine replica = replica(server, token, device, pageSize, pushBatch)) {
            long head = hubStore.headVersion();
            for (int i = 0; i < records; i++) {
                device.put("tasks", "p" + i, task("p" + i, i));
            }
            resetPeak();
            long start = System.nanoTime();
            SyncReport report = replica.syncNow();
            double seconds = (System.nanoTime() - start) / 1e9;
            check(report.pushed() == records, "pushed " + report.pushed() + " of " + records);
            check(hubStore.headVersion() - head == records, "hub wrote " + (hubStore.headVersion() - head));
            System.out.printf("push: %,d changes in %.2f s = %,.0f changes/s (cycle includes pulling the echo;"
                    + " peak heap %d MiB)%n", records, seconds, records / seconds, peakHeapMiB());
        }
    }

    static ReplicaEngine replica(TetherServer server, String token, MemoryReplicaStore store, int pageSize,
                                 int pushBatch) {
        RestTransport transport = RestTransport.builder(server.uri()).token(token).schemaVersion(1)
                .requestTimeout(Duration.ofSeconds(60)).build();
        return Tether.replica().store(store).transport(transport).schema(SCHEMA).pollInterval(Duration.ZERO)
                .debounce(Duration.ZERO).pullPageSize(pageSize).pushBatchSize(pushBatch).build().start();
    }

    static Map<String, Object> task(String id, int i) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("title", "Task number " + i + " with a realistic title");
        m.put("done", i % 3 == 0);
        m.put("project_id", "p-" + (i % 100));
        m.put("priority", (long) (i % 5));
        m.put("owner_id", "alice");
        return m;
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException("benchmark run is invalid: " + message);
        }
    }

    static void resetPeak() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** CPU time this JVM has used, all threads (GC and JIT included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** How many cores the JVM kept busy on average since {@code cpuStart}, over {@code seconds} of wall time. */
    static double coresBusy(long cpuStart, double seconds) {
        return (processCpuNanos() - cpuStart) / 1e9 / seconds;
    }

    /** Time this JVM's collectors have spent collecting, in milliseconds (for SerialGC: paused). */
    static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
