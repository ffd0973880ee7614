package io.tether.bench.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.jpa.JpaReplicaStore;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.Principal;
import jakarta.persistence.EntityManagerFactory;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

/**
 * The first step of a push on plugin-jpa, alone: folding the capture journal into the outbox. Each round writes N
 * entities to a fresh replica on H2 in memory (in transactions of 1,000, back to back, so nothing folds in the
 * background), then times the outbox read that folds them all. The engine never syncs: its poll interval is an hour.
 *
 * <pre>
 * java -Xmx3g -Xms3g -cp ... io.tether.bench.rest.JournalFoldBenchmark [records=200000] [rounds=5]
 * </pre>
 */
public final class JournalFoldBenchmark {
    private JournalFoldBenchmark() {
    }

    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        EntityManagerFactory hubDb = RestJpaBenchmark.database("hub");
        try (JpaHubStore hubStore = new JpaHubStore(hubDb);
             HubEngine hub = Tether.hub().store(hubStore).build().start()) {
            double[] rates = new double[rounds];
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                EntityManagerFactory db = RestJpaBenchmark.database("device");
                try (JpaReplicaStore store = new JpaReplicaStore(db);
                     ReplicaEngine replica = Tether.replica().store(store)
                             .transport(new InProcessTransport(hub.service(), new Principal("bench", Map.of())))
                             .pollInterval(Duration.ofHours(1)).debounce(Duration.ofHours(1)).build().start()) {
                    RestJpaBenchmark.persist(db, "f" + r + "-", records);
                    long start = System.nanoTime();
                    long folded = store.outboxCount(EnumSet.allOf(OutboxState.class));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    RestSyncBenchmark.check(folded == records, "folded " + folded);
                    System.out.printf("fold (%s): %,d changes in %.2f s = %,.0f changes/s%n",
                            r < 0 ? "warm-up" : "round " + (r + 1), folded, seconds, folded / seconds);
                    if (r >= 0) {
                        rates[r] = folded / seconds;
                    }
                } finally {
                    db.close();
                }
            }
            System.out.printf("fold: median %,.0f changes/s over %d rounds%n", RestJpaBenchmark.median(rates), rounds);
        } finally {
            hubDb.close();
        }
    }
}
