package io.tether.sync.spi;

import java.util.Objects;

/**
 * A parsed hybrid logical clock stamp: {@code 1763765150123-0001-6f1c0d52}.
 *
 * @param millis  physical part, epoch milliseconds (13 digits)
 * @param counter logical part, 0..0xFFFF
 * @param node    the writer's node id
 */
public record HlcStamp(long millis, int counter, String node) implements Comparable<HlcStamp> {

    public HlcStamp {
        Objects.requireNonNull(node, "node");
        if (millis < 1_000_000_000_000L || millis > 9_999_999_999_999L) {
            throw new IllegalArgumentException("hlc millis must have 13 digits: " + millis);
        }
        if (counter < 0 || counter > 0xFFFF) {
            throw new IllegalArgumentException("hlc counter out of range: " + counter);
        }
    }

    /**
     * Whether a string is a well-formed stamp: 13 decimal digits, {@code -}, 4 lowercase hex digits, {@code -}, and
     * a node id of 1 to 64 characters from {@code A-Z a-z 0-9 _ . :}. Checked character by character: every
     * pushed change is checked, and a regular expression cost more than the rest of the check.
     */
    public static boolean isValid(String stamp) {
        if (stamp == null || stamp.length() < 20 || stamp.length() > 19 + 64
                || stamp.charAt(13) != '-' || stamp.charAt(18) != '-') {
            return false;
        }
        for (int i = 0; i < 13; i++) {
            char c = stamp.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        for (int i = 14; i < 18; i++) {
            char c = stamp.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        for (int i = 19; i < stamp.length(); i++) {
            char c = stamp.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                    || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /** Parses a stamp; throws {@link IllegalArgumentException} saying what the form must be. */
    public static HlcStamp parse(String stamp) {
        if (!isValid(stamp)) {
            throw new IllegalArgumentException("hlc must look like 1763765150123-0001-node, was '" + stamp + "'");
        }
        return new HlcStamp(Long.parseLong(stamp.substring(0, 13)), Integer.parseInt(stamp.substring(14, 18), 16),
                stamp.substring(19));
    }

    @Override
    public String toString() {
        // millis has 13 digits (checked); the counter is 4 hex digits, zero-padded
        String hex = Integer.toHexString(counter);
        StringBuilder sb = new StringBuilder(19 + node.length()).append(millis).append('-');
        for (int i = hex.length(); i < 4; i++) {
            sb.append('0');
        }
        return sb.append(hex).append('-').append(node).toString();
    }

    @Override
    public int compareTo(HlcStamp o) {
        return toString().compareTo(o.toString());
    }
}
