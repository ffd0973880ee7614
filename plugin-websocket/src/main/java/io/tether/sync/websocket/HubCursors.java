package io.tether.sync.websocket;

import io.tether.sync.ConfigurationException;
import io.tether.sync.spi.HubService;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * Reads the version out of a hub's incremental cursor. Cursors are opaque to clients, but the socket must know
 * where a catch-up ended to switch to live delivery, and {@link HubService} offers only {@code cursorAt(version)}.
 * The form ({@code seq:<v>}, optionally followed by {@code :<commit time of v>}, in base64url) is checked against
 * the hub once, when the plugin starts.
 */
final class HubCursors {
    private HubCursors() {
    }

    /** The version an incremental cursor continues after; empty for any other cursor (a snapshot in progress). */
    static OptionalLong version(String cursor) {
        if (cursor == null || cursor.length() > 100) {
            return OptionalLong.empty();
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!text.startsWith("seq:")) {
                return OptionalLong.empty();
            }
            int mark = text.indexOf(':', 4); // seq:<v>:<commit time of v>
            String digits = text.substring(4, mark < 0 ? text.length() : mark);
            if (digits.length() > 19) {
                return OptionalLong.empty();
            }
            if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(digits));
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    /** Fails when the hub's cursors are not in the form this plugin reads. */
    static void check(HubService hub) {
        for (long v : new long[]{0, 7, 1_234_567_890_123L}) {
            OptionalLong read = version(hub.cursorAt(v));
            if (read.isEmpty() || read.getAsLong() != v) {
                throw new ConfigurationException("The websocket plugin cannot read this hub's cursors (cursorAt(" + v
                        + ") = '" + hub.cursorAt(v) + "'); it needs an engine whose cursors are base64url "
                        + "'seq:<v>[:<ms>]'.");
            }
        }
    }
}
