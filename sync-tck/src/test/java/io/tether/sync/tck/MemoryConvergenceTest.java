package io.tether.sync.tck;

import io.tether.sync.HubEngine;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.SyncTransport;

/** The in-memory stores and the in-process transport under the convergence kit, with field-merge. */
class MemoryConvergenceTest extends ConvergenceKit {
    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected ReplicaStore createReplicaStore() {
        return MemoryStore.replica();
    }

    @Override
    protected SyncTransport createTransport(HubEngine hub, String bearerToken) {
        return new InProcessTransport(hub.service(), hub.service().authenticate(bearerToken));
    }
}
