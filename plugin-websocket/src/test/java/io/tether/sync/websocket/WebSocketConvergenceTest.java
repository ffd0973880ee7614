package io.tether.sync.websocket;

import io.tether.sync.HubEngine;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.SyncTransport;
import io.tether.sync.tck.ConvergenceKit;
import org.junit.jupiter.api.AfterAll;

/** Replicas on the WebSocket transport, over real sockets, under the TCK's convergence kit. */
class WebSocketConvergenceTest extends ConvergenceKit {
    private static final KitServers SERVERS = new KitServers();

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
        return SERVERS.transport(hub, bearerToken);
    }

    @AfterAll
    static void stopServers() {
        SERVERS.stopAll();
    }
}
