package io.tether.sync.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.SyncTransport;
import io.tether.sync.tck.ConvergenceKit;
import org.junit.jupiter.api.AfterAll;

import java.time.Duration;

/** The TCK's convergence kit with every replica talking to the hub through {@link RestTransport} over HTTP. */
class RestConvergenceTest extends ConvergenceKit {
    private static final RestServers SERVERS = new RestServers();

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
        return RestTransport.builder(SERVERS.serving(hub).uri()).token(bearerToken).maxAttempts(2)
                .backoff(Duration.ofMillis(2), Duration.ofMillis(20)).build();
    }

    @AfterAll
    static void stopServers() {
        SERVERS.stopAll();
    }
}
