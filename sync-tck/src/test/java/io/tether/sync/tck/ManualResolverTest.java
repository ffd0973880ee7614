package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.spi.ConflictResolver;

/** The built-in {@code manual} policy under the conflict resolver kit. */
class ManualResolverTest extends ConflictResolverKit {
    @Override
    protected ConflictResolver createResolver() {
        return ConflictResolvers.of(ConflictPolicy.MANUAL);
    }

    @Override
    protected ResolverFeatures features() {
        return ResolverFeatures.claims(ResolverClaim.DEFERS, ResolverClaim.ORDER_INDEPENDENT);
    }
}
