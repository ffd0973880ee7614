package io.tether.sync.jpa;

import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.Role;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;

/**
 * Run in a child JVM: opens a store on an H2 file database, commits one write to a synced entity and halts the
 * JVM in the first after-commit callback, before anything is published. Exit code {@link #DIED_AFTER_COMMIT}.
 */
public final class CommitThenDie {
    static final int DIED_AFTER_COMMIT = 77;

    public static void main(String[] args) {
        Role role = Role.valueOf(args[0]);
        EntityManagerFactory emf = Databases.open(args[1], Action.CREATE);
        TestContext context = new TestContext(role);
        AutoCloseable store = role == Role.HUB ? new JpaHubStore(emf) : new JpaReplicaStore(emf);
        if (store instanceof HubStore hub) {
            hub.open(context);
        } else {
            ((JpaReplicaStore) store).open(context);
        }
        context.onCommitted = () -> Runtime.getRuntime().halt(DIED_AFTER_COMMIT);
        Jpa.tx(emf, em -> em.persist(new Task("t1", "Survives the crash", "alice")));
        System.exit(1); // not reached: the after-commit callback halted the JVM
    }
}
