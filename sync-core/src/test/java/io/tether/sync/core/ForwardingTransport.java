package io.tether.sync.core;

import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

/**
 * Hands every request to {@code target}; a test overrides the calls it scripts, or swaps the target (a hub restarted
 * elsewhere). No live delivery.
 */
class ForwardingTransport implements SyncTransport {
    volatile SyncTransport target;

    ForwardingTransport(SyncTransport target) {
        this.target = target;
    }

    @Override
    public PushResponse push(PushRequest request) {
        return target.push(request);
    }

    @Override
    public PullResponse pull(PullRequest request) {
        return target.pull(request);
    }

    @Override
    public Schema schema() {
        return target.schema();
    }
}
