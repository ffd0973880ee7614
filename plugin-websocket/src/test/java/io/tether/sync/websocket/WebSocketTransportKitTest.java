package io.tether.sync.websocket;

import io.tether.sync.HubEngine;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.SyncTransport;
import io.tether.sync.tck.TransportFeatures;
import io.tether.sync.tck.TransportKit;
import org.junit.jupiter.api.AfterEach;

/** The WebSocket transport (pulls over HTTP, live over the socket) under the TCK's transport kit, live included. */
class WebSocketTransportKitTest extends TransportKit {
    private final KitServers servers = new KitServers();

    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected SyncTransport createTransport(HubEngine hub, String bearerToken) {
        return servers.transport(hub, bearerToken);
    }

    @Override
    protected TransportFeatures features() {
        return TransportFeatures.defaults().withLive();
    }

    @AfterEach
    void stopServers() {
        servers.stopAll();
    }
}
