package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.Resolution;

/** {@code server-wins}: the hub always keeps its state. */
final class ServerWins implements ConflictResolver {
    @Override
    public Resolution resolve(ConflictInput input) {
        return Resolution.KEEP_HUB;
    }

    @Override
    public String name() {
        return ConflictPolicy.SERVER_WINS.wireName();
    }
}
