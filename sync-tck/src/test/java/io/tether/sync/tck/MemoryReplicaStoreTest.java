package io.tether.sync.tck;

import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.ReplicaStore;

/** The in-memory replica store under the replica store kit. */
class MemoryReplicaStoreTest extends ReplicaStoreKit {
    @Override
    protected ReplicaStore createReplicaStore() {
        return MemoryStore.replica();
    }
}
