package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.spi.ConflictResolver;

/** The built-in {@code server-wins} policy under the conflict resolver kit. */
class ServerWinsResolverTest extends ConflictResolverKit {
    @Override
    protected ConflictResolver createResolver() {
        return ConflictResolvers.of(ConflictPolicy.SERVER_WINS);
    }

    @Override
    protected ResolverFeatures features() {
        return ResolverFeatures.claims(ResolverClaim.KEEPS_HUB, ResolverClaim.ORDER_INDEPENDENT);
    }
}
