package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.spi.ConflictResolver;

/** The built-in {@code client-wins} policy under the conflict resolver kit. */
class ClientWinsResolverTest extends ConflictResolverKit {
    @Override
    protected ConflictResolver createResolver() {
        return ConflictResolvers.of(ConflictPolicy.CLIENT_WINS);
    }

    @Override
    protected ResolverFeatures features() {
        return ResolverFeatures.claims(ResolverClaim.TAKES_CLIENT, ResolverClaim.ORDER_INDEPENDENT);
    }
}
