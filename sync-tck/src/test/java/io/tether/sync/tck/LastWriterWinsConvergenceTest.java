package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;

/** The convergence kit over the in-memory stores with the {@code last-writer-wins} policy. */
class LastWriterWinsConvergenceTest extends MemoryConvergenceTest {
    @Override
    protected ConflictPolicy conflictPolicy() {
        return ConflictPolicy.LAST_WRITER_WINS;
    }
}
