package io.tether.bench.refs;

import io.tether.bench.rest.RestJpaBenchmark;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.jpa.JpaReplicaStore;
import io.tether.sync.spi.Principal;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import java.time.Duration;
import java.util.UUID;

/**
 * An initial sync in which records arrive before the records they reference: on the hub, N folders with a note each,
 * then every folder renamed, so that pages in version order deliver all N notes before any folder. Each note waits on
 * the replica ({@code tether_replica_waiting}) until its folder arrives. The same sync without the renames (every
 * folder before its note, nothing waits) is the baseline. Hub and replica are Hibernate on H2 in memory, one JVM, no
 * HTTP ({@link InProcessTransport}): what is measured is the replica's store.
 *
 * <pre>
 * java -Xmx2g -Xms2g -cp ... io.tether.bench.refs.ForwardReferenceBenchmark [notes=50000] [pageSize=1000] [rounds=3]
 * </pre>
 */
public final class ForwardReferenceBenchmark {
    private ForwardReferenceBenchmark() {
    }

    public static void main(String[] args) {
        int notes = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int pageSize = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf("forward references: %,d folders and %,d notes, pages of %,d, max heap %d MiB, Java %s%n",
                notes, notes, pageSize, Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
        for (int r = 1; r <= rounds; r++) {
            for (boolean renamed : new boolean[] {false, true}) {
                run(notes, pageSize, renamed, "round " + r);
            }
        }
    }

    private static void run(int notes, int pageSize, boolean renamed, String label) {
        EntityManagerFactory hubDb = database();
        EntityManagerFactory replicaDb = database();
        try (JpaHubStore hubStore = new JpaHubStore(hubDb);
             HubEngine hub = Tether.hub().store(hubStore).build().start()) {
            fill(hubDb, notes, renamed);
            try (JpaReplicaStore store = new JpaReplicaStore(replicaDb);
                 ReplicaEngine replica = Tether.replica().store(store)
                         .transport(new InProcessTransport(hub.service(), Principal.of("bench")))
                         .pollInterval(Duration.ZERO).debounce(Duration.ZERO).pullPageSize(pageSize).build()
                         .start()) {
                long start = System.nanoTime();
                SyncReport report = replica.syncNow();
                double seconds = (System.nanoTime() - start) / 1e9;
                long held = store.count("notes") + store.count("folders");
                if (held != 2L * notes || report.pulled() != 2L * notes) {
                    throw new IllegalStateException("pulled " + report.pulled() + ", held " + held);
                }
                System.out.printf("%s, %s: %,d records in %.2f s = %,.0f records/s%n", label,
                        renamed ? "every note before its folder" : "every folder before its notes", held, seconds,
                        held / seconds);
            }
        } finally {
            replicaDb.close();
            hubDb.close();
        }
    }

    /** N folders with a note each, in transactions of 1,000; then, if {@code renamed}, every folder renamed. */
    private static void fill(EntityManagerFactory db, int notes, boolean renamed) {
        for (int from = 0; from < notes; from += 1000) {
            int first = from;
            RestJpaBenchmark.inTransaction(db, em -> {
                for (int i = first; i < Math.min(notes, first + 1000); i++) {
                    Folder folder = new Folder();
                    folder.id = "f" + i;
                    folder.name = "folder " + i;
                    folder.owner = "bench";
                    em.persist(folder);
                    Note note = new Note();
                    note.id = "n" + i;
                    note.title = "note " + i;
                    note.folder = folder;
                    note.owner = "bench";
                    em.persist(note);
                }
            });
        }
        if (!renamed) {
            return;
        }
        for (int from = 0; from < notes; from += 1000) {
            int first = from;
            RestJpaBenchmark.inTransaction(db, em -> {
                for (int i = first; i < Math.min(notes, first + 1000); i++) {
                    em.find(Folder.class, "f" + i).name = "renamed " + i;
                }
            });
        }
    }

    private static EntityManagerFactory database() {
        return new HibernatePersistenceConfiguration("refs-bench")
                .managedClass(Folder.class)
                .managedClass(Note.class)
                .jdbcUrl("jdbc:h2:mem:refs" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1")
                .schemaToolingAction(Action.CREATE_DROP)
                .property("hibernate.jdbc.batch_size", 100)
                .property("hibernate.order_inserts", true)
                .property("hibernate.order_updates", true)
                .createEntityManagerFactory();
    }
}
