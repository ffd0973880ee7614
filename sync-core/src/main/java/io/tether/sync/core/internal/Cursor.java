package io.tether.sync.core.internal;

import io.tether.sync.ProblemException;
import io.tether.sync.spi.ProblemType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The hub's opaque pull cursor: base64 of {@code seq:<v>} (continue after version v) or
 * {@code snap:<upTo>:<after>} (an initial sync in progress: live records with after &lt; version &lt;= upTo).
 */
public sealed interface Cursor {

    /** Continue with changes after {@code version}. */
    record Seq(long version) implements Cursor {
    }

    /** Initial sync: records up to {@code upTo}, continuing after {@code after}. */
    record Snapshot(long upTo, long after) implements Cursor {
    }

    static String encode(Cursor cursor) {
        String text = cursor instanceof Seq s ? "seq:" + s.version()
                : "snap:" + ((Snapshot) cursor).upTo() + ":" + ((Snapshot) cursor).after();
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
            if (parts.length == 2 && parts[0].equals("seq")) {
                return new Seq(nonNegative(parts[1]));
            }
            if (parts.length == 3 && parts[0].equals("snap")) {
                long upTo = nonNegative(parts[1]);
                long after = nonNegative(parts[2]);
                if (after <= upTo) {
                    return new Snapshot(upTo, after);
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
