package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;

/** The convergence kit over the in-memory stores with the {@code server-wins} policy. */
class ServerWinsConvergenceTest extends MemoryConvergenceTest {
    @Override
    protected ConflictPolicy conflictPolicy() {
        return ConflictPolicy.SERVER_WINS;
    }
}
