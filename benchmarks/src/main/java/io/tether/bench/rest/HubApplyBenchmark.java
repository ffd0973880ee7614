package io.tether.bench.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.Tether;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResult;
import jakarta.persistence.EntityManagerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the hub's push costs without HTTP around it: batches of new records, then batches updating them, through
 * {@link HubService#push} on {@link JpaHubStore} over in-memory H2, on one thread. It prints the CPU time of that
 * thread per change (the store and H2 run on it; GC and JIT do not), which varies far less from run to run on a
 * shared machine than wall-clock rates do, so two builds can be compared by it. The first {@code warmup} batches of
 * each kind are not counted.
 *
 * <pre>
 * java -Xmx3g -Xms3g [-Dbench.hub.url=jdbc:h2:file:...] -cp ... io.tether.bench.rest.HubApplyBenchmark
 *      [batches=200] [batchSize=1000] [warmup=50] [kinds=creates,updates]
 * </pre>
 */
public final class HubApplyBenchmark {
    /** A replica's client id; its change ids have the form replicas give them. */
    private static final String CLIENT = "6f1c2a9e-7d3b-4c1a-9a53-2b7c1e0f4d11";

    private HubApplyBenchmark() {
    }

    public static void main(String[] args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        String kinds = args.length > 3 ? args[3] : "creates,updates";
        String secret = JwtIssuer.randomSecret();
        // bench.hub.url: the hub's database, for example jdbc:h2:file:/tmp/hub (commits written to the file, as a
        // hub serving replicas writes them); H2 in memory when unset
        String url = System.getProperty("bench.hub.url");
        EntityManagerFactory db = url == null ? RestJpaBenchmark.database("hub") : RestJpaBenchmark.database("hub", url);
        JpaHubStore store = new JpaHubStore(db);
        try (HubEngine hub = Tether.hub().store(store).authenticator(JwtAuthenticator.hs256(secret).build())
                .build().start()) {
            HubService service = hub.service();
            Principal bench = service.authenticate(new JwtIssuer(secret).issue("bench", Duration.ofHours(1)));
            long[] versions = new long[batches * batchSize];
            double[] creates = run(service, bench, batches, batchSize, warmup, versions, false);
            System.out.printf("hub apply (%,d batches of %,d, first %d not counted): creates %s%n", batches,
                    batchSize, warmup, summary(creates));
            if (kinds.contains("updates")) {
                double[] updates = run(service, bench, batches, batchSize, warmup, versions, true);
                System.out.printf("hub apply: updates %s%n", summary(updates));
            }
            // the periodic compaction, by hand: with updates, half the log is superseded
            long start = System.nanoTime();
            long horizon = hub.compact();
            System.out.printf("compaction of %,d log entries: %.2f s (horizon %d)%n", (long) versions.length
                    * (kinds.contains("updates") ? 2 : 1), (System.nanoTime() - start) / 1e9, horizon);
        } finally {
            store.close();
            db.close();
        }
    }

    /** Pushes the batches; returns the CPU microseconds per change of each counted batch. */
    private static double[] run(HubService service, Principal bench, int batches, int batchSize, int warmup,
                                long[] versions, boolean update) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] perChange = new double[batches - warmup];
        for (int b = 0; b < batches; b++) {
            List<Change> changes = new ArrayList<>(batchSize);
            for (int i = b * batchSize; i < (b + 1) * batchSize; i++) {
                String id = String.format("r%07d", i);
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("id", id);
                data.put("title", "item number " + i + (update ? "*" : ""));
                data.put("amount", (long) i + (update ? 1 : 0));
                data.put("done", update);
                data.put("owner", "bench");
                long sequence = (update ? versions.length : 0) + i + 1;
                changes.add(new Change(Change.changeId(CLIENT, sequence), "items", id, Operation.UPSERT, data, null,
                        update ? versions[i] : null, null));
            }
            long cpu = threads.getCurrentThreadCpuTime();
            List<PushResult> results = service.push(bench, new PushRequest(CLIENT, changes)).results();
            long spent = threads.getCurrentThreadCpuTime() - cpu;
            for (int i = 0; i < batchSize; i++) {
                if (!(results.get(i) instanceof PushResult.Applied applied)) {
                    throw new IllegalStateException("change " + i + " of batch " + b + ": " + results.get(i));
                }
                versions[b * batchSize + i] = applied.version();
            }
            if (b >= warmup) {
                perChange[b - warmup] = spent / 1_000.0 / batchSize;
            }
        }
        return perChange;
    }

    private static String summary(double[] micros) {
        double[] sorted = micros.clone();
        Arrays.sort(sorted);
        return String.format("median %.1f µs CPU per change (p10 %.1f, p90 %.1f)", sorted[sorted.length / 2],
                sorted[sorted.length / 10], sorted[sorted.length * 9 / 10]);
    }
}
