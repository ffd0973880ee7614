package io.tether.sync.tck;

import io.tether.sync.HubEngine;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.SyncTransport;

/** The in-process transport with live delivery under the transport kit, live rule included. */
class InProcessLiveTransportTest extends TransportKit {
    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected SyncTransport createTransport(HubEngine hub, String bearerToken) {
        return InProcessTransport.live(hub.service(), hub.service().authenticate(bearerToken));
    }

    @Override
    protected TransportFeatures features() {
        return TransportFeatures.defaults().withLive();
    }
}
