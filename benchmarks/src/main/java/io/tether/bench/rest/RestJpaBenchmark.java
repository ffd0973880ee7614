package io.tether.bench.rest;

import io.tether.bench.SyncedItem;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.jpa.JpaReplicaStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The issue's REST benchmark on Hibernate and H2 (in memory, one database per node): initial sync of N entities
 * from a hub on {@link JpaHubStore} to a fresh replica on {@link JpaReplicaStore} over HTTP on 127.0.0.1, then
 * pushing N entities created on a fresh replica. Hub and replica share one JVM, so the heap holds both. Two
 * warm-up rounds run first (so the JIT has compiled the sync path, as on a running server or device; their numbers
 * are printed too), then {@code rounds} measured rounds, each on fresh replica databases. Each round also prints
 * how many cores the JVM kept busy (GC and JIT included) and, for a push, how long the writes before it took, so
 * that work moved from the push into the writes shows.
 *
 * <p>Run it with a fixed heap ({@code -Xms} = {@code -Xmx}), as a server runs: from the JVM's small default initial
 * heap, the collector keeps resizing while both in-memory databases grow, and on this 2-core machine that alone
 * halved the initial sync rate under G1 (docs/benchmarks.md).
 *
 * <pre>
 * java -Xmx3g -Xms3g -cp ... io.tether.bench.rest.RestJpaBenchmark [records=100000] [pageSize=5000] [pushBatch=1000]
 *      [phases=initial,push] [rounds=5]
 * </pre>
 */
public final class RestJpaBenchmark {
    private static final int TX_SIZE = 1000;

    private RestJpaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int pageSize = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int pushBatch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String phases = args.length > 3 ? args[3] : "initial,push";
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        String secret = JwtIssuer.randomSecret();
        String token = new JwtIssuer(secret).issue("bench", Duration.ofHours(2));

        EntityManagerFactory hubDb = database("hub");
        JpaHubStore hubStore = new JpaHubStore(hubDb);
        try (HubEngine hub = Tether.hub().store(hubStore).authenticator(JwtAuthenticator.hs256(secret).build())
                .build().start();
             TetherServer server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).build()
                     .start()) {
            System.out.printf("rest benchmark (Hibernate + H2 in memory, HTTP on 127.0.0.1): %,d records, page %d,"
                    + " push batch %d, max heap %d MiB, Java %s; 2 warm-up rounds, then %d rounds%n", records,
                    pageSize, pushBatch, Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"),
                    rounds);
            Bench bench = new Bench(server, token, hubStore, pageSize, pushBatch);
            if (phases.contains("initial")) {
                persist(hubDb, "h", records);
                bench.initialSync(records, "warm-up 1");
                bench.initialSync(records, "warm-up 2");
                double[] rates = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    rates[r] = bench.initialSync(records, "round " + (r + 1));
                }
                System.out.printf("initial sync: median %,.0f records/s over %d rounds%n", median(rates), rounds);
            }
            if (phases.contains("push")) {
                bench.push(records / 5, "w1-", "warm-up 1");
                bench.push(records / 2, "w2-", "warm-up 2");
                double[] rates = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    rates[r] = bench.push(records, "p" + r + "-", "round " + (r + 1));
                }
                System.out.printf("push: median %,.0f changes/s over %d rounds%n", median(rates), rounds);
            }
        } finally {
            hubStore.close();
            hubDb.close();
        }
    }

    private record Bench(TetherServer server, String token, JpaHubStore hubStore, int pageSize, int pushBatch) {
        /** Syncs the hub's records to a fresh replica; returns records per second. */
        double initialSync(int expected, String label) {
            EntityManagerFactory db = database("fresh");
            try (JpaReplicaStore store = new JpaReplicaStore(db);
                 ReplicaEngine replica = replica(server, token, store, pageSize, pushBatch)) {
                RestSyncBenchmark.resetPeak();
                long cpu = RestSyncBenchmark.processCpuNanos();
                long start = System.nanoTime();
                SyncReport report = replica.syncNow();
                double seconds = (System.nanoTime() - start) / 1e9;
                double busy = RestSyncBenchmark.coresBusy(cpu, seconds);
                long stored = store.count("items");
                RestSyncBenchmark.check(report.pulled() >= expected && stored == report.pulled(),
                        "pulled " + report.pulled() + ", stored " + stored);
                System.out.printf("initial sync (%s): %,d records in %.2f s = %,.0f records/s (%.2f cores busy; peak"
                        + " heap %d MiB)%n", label, stored, seconds, stored / seconds, busy,
                        RestSyncBenchmark.peakHeapMiB());
                return stored / seconds;
            } finally {
                db.close();
            }
        }

        /** Creates {@code n} entities on a fresh, caught-up replica and pushes them; returns changes per second. */
        double push(int n, String prefix, String label) {
            EntityManagerFactory db = database("device");
            try (JpaReplicaStore store = new JpaReplicaStore(db);
                 ReplicaEngine replica = replica(server, token, store, pageSize, pushBatch)) {
                replica.syncNow(); // catch up first, so the measured cycle is the push
                long head = hubStore.headVersion();
                long writeStart = System.nanoTime();
                persist(db, prefix, n);
                double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
                RestSyncBenchmark.resetPeak();
                long cpu = RestSyncBenchmark.processCpuNanos();
                long start = System.nanoTime();
                SyncReport report = replica.syncNow();
                double seconds = (System.nanoTime() - start) / 1e9;
                double busy = RestSyncBenchmark.coresBusy(cpu, seconds);
                RestSyncBenchmark.check(report.pushed() == n, "pushed " + report.pushed());
                RestSyncBenchmark.check(hubStore.headVersion() - head == n, "hub wrote " + (hubStore.headVersion() - head));
                System.out.printf("push (%s): %,d changes in %.2f s = %,.0f changes/s (one sync cycle; %.2f cores busy;"
                        + " peak heap %d MiB; the writes before it took %.2f s)%n", label, n, seconds, n / seconds, busy,
                        RestSyncBenchmark.peakHeapMiB(), writeSeconds);
                return n / seconds;
            } finally {
                db.close();
            }
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static ReplicaEngine replica(TetherServer server, String token, JpaReplicaStore store, int pageSize,
                                 int pushBatch) {
        RestTransport transport = RestTransport.builder(server.uri()).token(token).schemaVersion(1)
                .requestTimeout(Duration.ofSeconds(120)).build();
        return Tether.replica().store(store).transport(transport).pollInterval(Duration.ZERO)
                .debounce(Duration.ZERO).pullPageSize(pageSize).pushBatchSize(pushBatch).build().start();
    }

    static EntityManagerFactory database(String name) {
        return database(name, "jdbc:h2:mem:" + name + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1");
    }

    static EntityManagerFactory database(String name, String jdbcUrl) {
        return database(name, jdbcUrl, SyncedItem.class);
    }

    /** A fresh database of one entity, with the JDBC batching the benchmarks' Hibernate nodes use. */
    static EntityManagerFactory database(String name, String jdbcUrl, Class<?> entity) {
        return new HibernatePersistenceConfiguration("rest-bench-" + name)
                .managedClass(entity)
                .jdbcUrl(jdbcUrl)
                .schemaToolingAction(Action.CREATE_DROP)
                .property("hibernate.jdbc.batch_size", 100)
                .property("hibernate.order_inserts", true)
                .property("hibernate.order_updates", true)
                .createEntityManagerFactory();
    }

    /** Creates {@code n} entities owned by the benchmark user, in transactions of {@value #TX_SIZE}. */
    static void persist(EntityManagerFactory db, String prefix, int n) {
        persist(db, prefix, 0, n);
    }

    /** Creates the entities numbered {@code fromIndex} (inclusive) to {@code toIndex} (exclusive), likewise. */
    static void persist(EntityManagerFactory db, String prefix, int fromIndex, int toIndex) {
        for (int from = fromIndex; from < toIndex; from += TX_SIZE) {
            int first = from;
            inTransaction(db, em -> {
                for (int i = first; i < Math.min(toIndex, first + TX_SIZE); i++) {
                    SyncedItem item = new SyncedItem();
                    item.fill(prefix + String.format("%07d", i), "item number " + i, i, "bench");
                    em.persist(item);
                }
            });
        }
    }

    public static void inTransaction(EntityManagerFactory db, Consumer<EntityManager> work) {
        EntityManager em = db.createEntityManager();
        try {
            em.getTransaction().begin();
            work.accept(em);
            em.getTransaction().commit();
        } finally {
            em.close();
        }
    }
}
