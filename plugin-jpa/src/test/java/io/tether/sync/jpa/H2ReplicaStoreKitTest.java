package io.tether.sync.jpa;

import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.tck.ReplicaStoreKit;
import io.tether.sync.tck.StoreFeatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The TCK's replica store kit on JpaReplicaStore over H2. */
class H2ReplicaStoreKitTest extends ReplicaStoreKit {
    private static TckDatabases databases;

    @BeforeAll
    static void databases() {
        databases = new TckDatabases(H2ReplicaStoreKitTest.class, false);
    }

    @AfterAll
    static void dropDatabases() {
        databases.close();
    }

    @Override
    protected ReplicaStore createReplicaStore() {
        return databases.replica();
    }

    @Override
    protected ReplicaStore reopen(ReplicaStore closed) {
        return (ReplicaStore) databases.reopen(closed);
    }

    @Override
    protected StoreFeatures features() {
        return StoreFeatures.defaults().withRestart();
    }
}
