package io.tether.bench.rest;

import io.tether.bench.PlainItem;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.Session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;

/**
 * The floor under {@link RestScaleBenchmark}'s initial sync: what the replica's database work alone costs, with no
 * sync around it. One thread writes N entities of the benchmark's shape through Hibernate into a fresh H2 file, in
 * transactions of one page each, with the same JDBC batching as the replica; then, into another fresh file, the same
 * entities plus one row each in Tether's version table ({@code tether_replica_record}), which is what a replica
 * writes for every record an initial sync delivers. Run it with the replica's heap:
 *
 * <pre>
 * java -Xmx256m -Xms256m -XX:+UseSerialGC -cp ... io.tether.bench.rest.StoreFloorBenchmark [records=1000000] [page=5000]
 * </pre>
 */
public final class StoreFloorBenchmark {
    private StoreFloorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int page = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        System.out.printf("store floor: %,d records, transactions of %,d, H2 files, max heap %d MiB%n", records, page,
                Runtime.getRuntime().maxMemory() >> 20);
        double entities = run(records, page, false);
        System.out.printf("entities alone: %,.0f records/s%n", entities);
        double withVersions = run(records, page, true);
        System.out.printf("entities and version rows: %,.0f records/s%n", withVersions);
    }

    private static double run(int records, int page, boolean versions) throws Exception {
        Path file = Files.createTempDirectory("tether-floor").resolve("db");
        EntityManagerFactory db = RestJpaBenchmark.database("store-floor", "jdbc:h2:file:" + file, PlainItem.class);
        try {
            long start = System.nanoTime();
            for (int from = 0; from < records; from += page) {
                int first = from;
                int last = Math.min(records, from + page);
                RestJpaBenchmark.inTransaction(db, em -> {
                    for (int i = first; i < last; i++) {
                        PlainItem item = new PlainItem();
                        item.fill(id(i), "item number " + i, i, "bench");
                        em.persist(item);
                    }
                    if (versions) {
                        em.flush();
                        em.unwrap(Session.class).doWork(c -> {
                            try (PreparedStatement ps = c.prepareStatement("insert into tether_replica_record "
                                    + "(collection_name, record_id, version, deleted) values (?, ?, ?, ?)")) {
                                for (int i = first; i < last; i++) {
                                    ps.setString(1, "items");
                                    ps.setString(2, id(i));
                                    ps.setLong(3, i + 1L);
                                    ps.setBoolean(4, false);
                                    ps.addBatch();
                                }
                                ps.executeBatch();
                            }
                        });
                    }
                });
            }
            return records / ((System.nanoTime() - start) / 1e9);
        } finally {
            db.close();
        }
    }

    private static String id(int i) {
        return "h" + String.format("%07d", i);
    }
}
