package io.tether.sync.tck;

import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;

/** The in-memory hub store under the hub store kit. */
class MemoryHubStoreTest extends HubStoreKit {
    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }
}
