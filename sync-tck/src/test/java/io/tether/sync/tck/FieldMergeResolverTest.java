package io.tether.sync.tck;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.spi.ConflictResolver;

/** The built-in {@code field-merge} policy under the conflict resolver kit. */
class FieldMergeResolverTest extends ConflictResolverKit {
    @Override
    protected ConflictResolver createResolver() {
        return ConflictResolvers.of(ConflictPolicy.FIELD_MERGE);
    }

    @Override
    protected ResolverFeatures features() {
        return ResolverFeatures.claims(ResolverClaim.MERGES_FIELDS, ResolverClaim.ORDER_INDEPENDENT);
    }
}
