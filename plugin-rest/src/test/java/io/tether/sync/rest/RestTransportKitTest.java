package io.tether.sync.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.SyncTransport;
import io.tether.sync.tck.TransportKit;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;

/** The REST transport against the TCK's transport kit, over HTTP on 127.0.0.1. */
class RestTransportKitTest extends TransportKit {
    private final RestServers servers = new RestServers();

    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected SyncTransport createTransport(HubEngine hub, String bearerToken) {
        return RestTransport.builder(servers.serving(hub).uri()).token(bearerToken)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();
    }

    @AfterEach
    void stopServers() {
        servers.stopAll();
    }
}
