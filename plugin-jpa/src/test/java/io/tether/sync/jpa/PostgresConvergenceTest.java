package io.tether.sync.jpa;

import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.tck.ConvergenceKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The TCK's convergence kit: a JPA hub and JPA replicas over PostgreSQL (skipped when it is not reachable). */
class PostgresConvergenceTest extends ConvergenceKit {
    private static TckDatabases databases;

    @BeforeAll
    static void databases() {
        databases = new TckDatabases(PostgresConvergenceTest.class, true);
    }

    @AfterAll
    static void dropDatabases() {
        databases.close();
    }

    @Override
    protected HubStore createHubStore() {
        return databases.hub();
    }

    @Override
    protected ReplicaStore createReplicaStore() {
        return databases.replica();
    }

    @Override
    protected HubStore restartHubStore(HubStore old) {
        return (HubStore) databases.reopen(old);
    }

    @Override
    protected ReplicaStore restartReplicaStore(ReplicaStore old) {
        return (ReplicaStore) databases.reopen(old);
    }
}
