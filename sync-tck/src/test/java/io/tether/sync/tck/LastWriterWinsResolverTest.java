package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.spi.ConflictResolver;

/** The built-in {@code last-writer-wins} policy under the conflict resolver kit. */
class LastWriterWinsResolverTest extends ConflictResolverKit {
    @Override
    protected ConflictResolver createResolver() {
        return ConflictResolvers.of(ConflictPolicy.LAST_WRITER_WINS);
    }

    @Override
    protected ResolverFeatures features() {
        return ResolverFeatures.claims(ResolverClaim.LATER_HLC_WINS, ResolverClaim.ORDER_INDEPENDENT);
    }
}
