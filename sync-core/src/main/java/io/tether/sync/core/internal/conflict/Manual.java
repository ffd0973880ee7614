package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.Resolution;

/** {@code manual}: nothing is written; the replica's application decides. */
final class Manual implements ConflictResolver {
    @Override
    public Resolution resolve(ConflictInput input) {
        return Resolution.DEFER;
    }

    @Override
    public String name() {
        return ConflictPolicy.MANUAL.wireName();
    }
}
