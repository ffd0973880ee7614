package io.tether.sync.tck;

import io.tether.sync.spi.HubService;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

/**
 * A transport that calls a {@link HubService} directly, authenticating every request with a bearer token: the
 * network of the convergence kit when no transport is under test. Thread-safe.
 */
public final class HubServiceTransport implements SyncTransport {
    private final HubService hub;
    private final String token;

    public HubServiceTransport(HubService hub, String token) {
        this.hub = hub;
        this.token = token;
    }

    @Override
    public PushResponse push(PushRequest request) {
        return hub.push(hub.authenticate(token), request);
    }

    @Override
    public PullResponse pull(PullRequest request) {
        return hub.pull(hub.authenticate(token), request);
    }

    @Override
    public Schema schema() {
        hub.authenticate(token);
        return hub.schema();
    }
}
