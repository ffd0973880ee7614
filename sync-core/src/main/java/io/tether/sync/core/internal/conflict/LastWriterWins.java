package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.Resolution;

/**
 * {@code last-writer-wins}: the change is written when its hlc is greater (as a string) than the hub record's hlc;
 * a hub record without an hlc loses, a change without one (the hub stamps them, so only in tests) loses.
 */
final class LastWriterWins implements ConflictResolver {
    @Override
    public Resolution resolve(ConflictInput input) {
        return clientIsLater(input.change().hlc(), input.current().hlc()) ? Resolution.TAKE_CLIENT
                : Resolution.KEEP_HUB;
    }

    /** Whether a client stamp beats a hub stamp: string order, a null hub stamp loses, a null client stamp loses. */
    static boolean clientIsLater(String clientHlc, String hubHlc) {
        if (clientHlc == null) {
            return false;
        }
        return hubHlc == null || clientHlc.compareTo(hubHlc) > 0;
    }

    @Override
    public String name() {
        return ConflictPolicy.LAST_WRITER_WINS.wireName();
    }
}
