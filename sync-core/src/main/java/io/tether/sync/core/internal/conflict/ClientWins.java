package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.Resolution;

/** {@code client-wins}: the pushed change is always written as sent. */
final class ClientWins implements ConflictResolver {
    @Override
    public Resolution resolve(ConflictInput input) {
        return Resolution.TAKE_CLIENT;
    }

    @Override
    public String name() {
        return ConflictPolicy.CLIENT_WINS.wireName();
    }
}
