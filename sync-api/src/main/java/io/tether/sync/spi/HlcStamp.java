package io.tether.sync.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed hybrid logical clock stamp: {@code 1763765150123-0001-6f1c0d52}.
 *
 * @param millis  physical part, epoch milliseconds (13 digits)
 * @param counter logical part, 0..0xFFFF
 * @param node    the writer's node id
 */
public record HlcStamp(long millis, int counter, String node) implements Comparable<HlcStamp> {
    private static final Pattern FORMAT = Pattern.compile("\\d{13}-[0-9a-f]{4}-[A-Za-z0-9_.:]{1,64}");

    public HlcStamp {
        Objects.requireNonNull(node, "node");
        if (millis < 1_000_000_000_000L || millis > 9_999_999_999_999L) {
            throw new IllegalArgumentException("hlc millis must have 13 digits: " + millis);
        }
        if (counter < 0 || counter > 0xFFFF) {
            throw new IllegalArgumentException("hlc counter out of range: " + counter);
        }
    }

    /** Whether a string is a well-formed stamp. */
    public static boolean isValid(String stamp) {
        return stamp != null && FORMAT.matcher(stamp).matches();
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
