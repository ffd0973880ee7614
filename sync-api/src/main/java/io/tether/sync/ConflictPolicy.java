package io.tether.sync;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The built-in conflict policies, chosen per collection on the hub. {@link #FIELD_MERGE} is the default: fields
 * changed on only one side merge, fields changed on both sides go by hybrid logical clock.
 */
public enum ConflictPolicy {
    SERVER_WINS, CLIENT_WINS, LAST_WRITER_WINS, FIELD_MERGE, MANUAL;

    /** The name used in configuration and in push results: {@code server-wins}, {@code field-merge}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ConflictPolicy fromWire(String name) {
        for (ConflictPolicy p : values()) {
            if (p.wireName().equals(name)) {
                return p;
            }
        }
        throw new ConfigurationException("Unknown conflict policy '" + name + "'. Known: "
                + Arrays.stream(values()).map(ConflictPolicy::wireName).collect(Collectors.joining(", ")));
    }
}
