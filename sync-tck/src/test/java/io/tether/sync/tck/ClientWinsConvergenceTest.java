package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;

/** The convergence kit over the in-memory stores with the {@code client-wins} policy. */
class ClientWinsConvergenceTest extends MemoryConvergenceTest {
    @Override
    protected ConflictPolicy conflictPolicy() {
        return ConflictPolicy.CLIENT_WINS;
    }
}
