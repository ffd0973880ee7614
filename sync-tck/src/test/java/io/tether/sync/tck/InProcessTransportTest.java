package io.tether.sync.tck;

import io.tether.sync.HubEngine;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.SyncTransport;

/** The in-process transport under the transport kit: it authenticates once, when it is created. */
class InProcessTransportTest extends TransportKit {
    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected SyncTransport createTransport(HubEngine hub, String bearerToken) {
        return new InProcessTransport(hub.service(), hub.service().authenticate(bearerToken));
    }
}
