package io.tether.sync.core.internal;

import io.tether.sync.ProblemException;
import io.tether.sync.spi.ProblemType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The hub's opaque pull cursor: base64 of {@code seq:<v>} (continue after version v) or
 * {@code snap:<upTo>:<after>} (an initial sync in progress: live records with after &lt; version &lt;= upTo), each
 * optionally followed by {@code :<ms>}, when the change at v (or upTo) committed, in epoch milliseconds. That mark
 * tells a cursor of the hub's own history from one of a history it lost: a hub restored from a backup that has
 * since taken new versions holds another change at v.
 */
public sealed interface Cursor {

    /** The version whose change the mark identifies. */
    long version();

    /** When the change at {@link #version()} committed (epoch milliseconds), or null when unknown. */
    Long committedMs();

    /** Continue with changes after {@code version}. */
    record Seq(long version, Long committedMs) implements Cursor {
    }

    /** Initial sync: records up to {@code upTo}, continuing after {@code after}. */
    record Snapshot(long upTo, long after, Long committedMs) implements Cursor {
        @Override
        public long version() {
            return upTo;
        }
    }

    static String encode(Cursor cursor) {
        String text = (cursor instanceof Seq s ? "seq:" + s.version()
                : "snap:" + ((Snapshot) cursor).upTo() + ":" + ((Snapshot) cursor).after())
                + (cursor.committedMs() == null ? "" : ":" + cursor.committedMs());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Parses a cursor this hub issued; anything else is a {@code bad-request} problem. */
    static Cursor decode(String cursor) {
        String text;
        try {
            if (cursor.length() > 100) {
                throw new IllegalArgumentException();
            }
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw invalid(cursor);
        }
        try {
            String[] parts = text.split(":", -1);
            if ((parts.length == 2 || parts.length == 3) && parts[0].equals("seq")) {
                return new Seq(nonNegative(parts[1]), parts.length == 3 ? nonNegative(parts[2]) : null);
            }
            if ((parts.length == 3 || parts.length == 4) && parts[0].equals("snap")) {
                long upTo = nonNegative(parts[1]);
                long after = nonNegative(parts[2]);
                if (after <= upTo) {
                    return new Snapshot(upTo, after, parts.length == 4 ? nonNegative(parts[3]) : null);
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the problem below
        }
        throw invalid(cursor);
    }

    private static long nonNegative(String digits) {
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(Character::isDigit)) {
            throw new NumberFormatException(digits);
        }
        return Long.parseLong(digits);
    }

    private static ProblemException invalid(String cursor) {
        String shown = cursor.length() > 40 ? cursor.substring(0, 40) + "..." : cursor;
        return new ProblemException(ProblemType.BAD_REQUEST,
                "cursor '" + shown + "' was not issued by this hub; omit it to run an initial sync");
    }
}
