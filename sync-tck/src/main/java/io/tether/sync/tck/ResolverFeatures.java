package io.tether.sync.tck;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a resolver under the {@link ConflictResolverKit} claims. Rules for claims not declared are skipped.
 *
 * <pre>{@code
 * @Override protected ResolverFeatures features() {
 *     return ResolverFeatures.claims(ResolverClaim.LATER_HLC_WINS, ResolverClaim.ORDER_INDEPENDENT);
 * }
 * }</pre>
 *
 * @param claims the resolver's promises
 */
public record ResolverFeatures(Set<ResolverClaim> claims) {
    public ResolverFeatures {
        claims = Set.copyOf(claims);
    }

    /** No claim beyond determinism. */
    public static ResolverFeatures defaults() {
        return new ResolverFeatures(Set.of());
    }

    /** These claims. */
    public static ResolverFeatures claims(ResolverClaim first, ResolverClaim... more) {
        return new ResolverFeatures(EnumSet.of(first, more));
    }

    /** Whether this claim is made. */
    public boolean has(ResolverClaim claim) {
        return claims.contains(claim);
    }
}
