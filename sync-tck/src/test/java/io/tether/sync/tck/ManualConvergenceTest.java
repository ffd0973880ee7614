package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;

/**
 * The convergence kit over the in-memory stores with the {@code manual} policy; at quiescence the kit accepts the
 * hub's state for every open conflict.
 */
class ManualConvergenceTest extends MemoryConvergenceTest {
    @Override
    protected ConflictPolicy conflictPolicy() {
        return ConflictPolicy.MANUAL;
    }
}
