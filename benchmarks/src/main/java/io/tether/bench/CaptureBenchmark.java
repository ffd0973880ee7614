package io.tether.bench;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.jpa.JpaReplicaStore;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.Principal;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Write throughput of the same workload — insert N entities, then update all of them, in transactions of 100 —
 * with plain Hibernate, with Hibernate Envers auditing the entity, and with Tether capturing it (on a replica: the
 * outbox; on a hub: the change log). H2 in memory with a statement cache of 64 per session (H2's default of 8 is
 * smaller than one transaction's distinct statements once Envers or Tether add theirs), JDBC batching on, the
 * same settings for every variant. Each variant is warmed up,
 * then measured in rounds interleaved with the others; the median round counts.
 *
 * <pre>{@code ./mvnw -q -pl benchmarks -am verify -DskipTests -Pbenchmark [-Dbench.entities=100000 -Dbench.rounds=3]}</pre>
 */
public final class CaptureBenchmark {
    private static final int TX_SIZE = 100;

    private enum Variant {
        PLAIN("plain Hibernate", PlainItem.class),
        ENVERS("Hibernate Envers", AuditedItem.class),
        TETHER("Tether (replica outbox)", SyncedItem.class),
        TETHER_HUB("Tether (hub change log)", SyncedItem.class);

        final String label;
        final Class<? extends Item> entity;

        Variant(String label, Class<? extends Item> entity) {
            this.label = label;
            this.entity = entity;
        }
    }

    public static void main(String[] args) throws Exception {
        int entities = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Variant> variants = args.length > 2 && !args[2].isBlank()
                ? Arrays.stream(args[2].split(",")).map(String::trim).map(Variant::valueOf).toList()
                : List.of(Variant.values());
        System.out.printf(Locale.ROOT, "Insert then update %,d entities in transactions of %d; H2 in memory; "
                + "%d measured round(s) after warm-up; Java %s%n", entities, TX_SIZE, rounds,
                System.getProperty("java.version"));
        for (Variant v : variants) {
            run(v, Math.max(TX_SIZE, entities / 5)); // warm-up
        }
        long[][] wall = new long[Variant.values().length][rounds];
        long[][] cpu = new long[Variant.values().length][rounds];
        long[] fold = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            for (Variant v : variants) {
                long[] measured = run(v, entities);
                wall[v.ordinal()][r] = measured[0];
                cpu[v.ordinal()][r] = measured[1];
                if (v == Variant.TETHER) {
                    fold[r] = measured[2];
                }
            }
        }
        double plainWall = 0;
        double plainCpu = 0;
        System.out.printf(Locale.ROOT, "%-26s %14s %10s %16s %10s%n", "variant", "writes/s", "time/plain",
                "writes/cpu-s", "cpu/plain");
        for (Variant v : variants) {
            long medianWall = median(wall[v.ordinal()]);
            long medianCpu = median(cpu[v.ordinal()]);
            if (v == Variant.PLAIN) {
                plainWall = medianWall;
                plainCpu = medianCpu;
            }
            System.out.printf(Locale.ROOT, "%-26s %,14.0f %9.2fx %,16.0f %9.2fx%n", v.label,
                    2.0 * entities / (medianWall / 1e9), plainWall == 0 ? Double.NaN : medianWall / plainWall,
                    2.0 * entities / (medianCpu / 1e9), plainCpu == 0 ? Double.NaN : medianCpu / plainCpu);
        }
        if (variants.contains(Variant.TETHER)) {
            System.out.printf(Locale.ROOT, "replica journal folded into the outbox by the first outbox read (off the "
                    + "writing threads): %,d entries in %,.0f ms, %,.0f entries/s%n", entities, median(fold) / 1e6,
                    entities / (median(fold) / 1e9));
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * One full run of the workload on a fresh database; returns the elapsed wall-clock and CPU nanoseconds of the
     * writes (H2 in memory works on the calling thread, so its CPU time is the work, whatever else the machine runs),
     * then the nanoseconds of the verifying read (for a replica, the fold of the capture journal into the outbox).
     */
    private static long[] run(Variant variant, int entities) throws Exception {
        EntityManagerFactory emf = new HibernatePersistenceConfiguration("bench-" + variant)
                .managedClass(variant.entity)
                .jdbcUrl("jdbc:h2:mem:bench" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1;QUERY_CACHE_SIZE=64")
                .schemaToolingAction(Action.CREATE_DROP)
                .property("hibernate.jdbc.batch_size", 100)
                .property("hibernate.order_updates", true)
                .property("hibernate.order_inserts", true)
                .createEntityManagerFactory();
        List<AutoCloseable> engines = new ArrayList<>();
        JpaReplicaStore replicaStore = null;
        JpaHubStore hubStore = null;
        if (variant == Variant.TETHER) {
            replicaStore = new JpaReplicaStore(emf);
            HubEngine hub = Tether.hub().store(MemoryStore.hub()).collection(CollectionSchema.builder("items")
                    .scopeField("owner").field("title", FieldType.STRING, true).field("amount", FieldType.INTEGER, false)
                    .field("done", FieldType.BOOLEAN, false).build()).build().start();
            ReplicaEngine replica = Tether.replica().store(replicaStore)
                    .transport(new InProcessTransport(hub.service(), Principal.of("bench")))
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
            engines.add(replica);
            engines.add(hub);
        } else if (variant == Variant.TETHER_HUB) {
            hubStore = new JpaHubStore(emf);
            engines.add(Tether.hub().store(hubStore).build().start());
        }
        try {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            for (int from = 0; from < entities; from += TX_SIZE) {
                int first = from;
                inTransaction(emf, em -> {
                    for (int i = first; i < first + TX_SIZE && i < entities; i++) {
                        Item item = newItem(variant);
                        item.fill(id(i), "item " + i, i, "bench");
                        em.persist(item);
                    }
                });
            }
            for (int from = 0; from < entities; from += TX_SIZE) {
                List<String> ids = new ArrayList<>(TX_SIZE);
                for (int i = from; i < from + TX_SIZE && i < entities; i++) {
                    ids.add(id(i));
                }
                inTransaction(emf, em -> em.createQuery("from " + variant.entity.getSimpleName() + " e where e.id in :ids",
                        variant.entity).setParameter("ids", ids).getResultList().forEach(Item::touch));
            }
            long elapsed = System.nanoTime() - start;
            long cpuElapsed = threads.getCurrentThreadCpuTime() - cpuStart;
            long foldStart = System.nanoTime();
            verify(variant, entities, replicaStore, hubStore); // on a replica, the first outbox read folds the journal
            return new long[] {elapsed, cpuElapsed, System.nanoTime() - foldStart};
        } finally {
            for (AutoCloseable e : engines) {
                e.close();
            }
            if (replicaStore != null) {
                replicaStore.close();
            }
            if (hubStore != null) {
                hubStore.close();
            }
            emf.close();
        }
    }

    /** The captured variants really captured: one outbox entry per entity, or two log entries per entity. */
    private static void verify(Variant variant, int entities, JpaReplicaStore replica, JpaHubStore hub) {
        if (replica != null && replica.outboxCount(EnumSet.of(OutboxState.PENDING)) != entities) {
            throw new IllegalStateException("expected " + entities + " outbox entries, found "
                    + replica.outboxCount(EnumSet.of(OutboxState.PENDING)));
        }
        if (hub != null && hub.headVersion() != 2L * entities) {
            throw new IllegalStateException("expected head version " + 2 * entities + ", found " + hub.headVersion());
        }
    }

    private static Item newItem(Variant variant) {
        try {
            return variant.entity.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String id(int i) {
        return String.format("i%07d", i);
    }

    private interface Work {
        void run(EntityManager em);
    }

    private static void inTransaction(EntityManagerFactory emf, Work work) {
        EntityManager em = emf.createEntityManager();
        try {
            em.getTransaction().begin();
            work.run(em);
            em.getTransaction().commit();
        } finally {
            em.close();
        }
    }
}
