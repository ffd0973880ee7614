package io.tether.sync.spi;

import java.util.Locale;

/** Why the hub rejected a pushed change; serialized in lower case ({@code unknown_collection}). */
public enum RejectReason {
    VALIDATION, UNKNOWN_COLLECTION, FORBIDDEN, TOO_LARGE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RejectReason fromWire(String value) {
        for (RejectReason r : values()) {
            if (r.wireName().equals(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reject reason '" + value + "'");
    }
}
