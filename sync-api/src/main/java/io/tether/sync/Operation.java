package io.tether.sync;

import java.util.Locale;

/** What a change does to a record. Serialized as {@code upsert} / {@code delete}. */
public enum Operation {
    UPSERT, DELETE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the accepted values. */
    public static Operation fromWire(String value) {
        for (Operation op : values()) {
            if (op.wireName().equals(value)) {
                return op;
            }
        }
        throw new IllegalArgumentException("op must be 'upsert' or 'delete', was '" + value + "'");
    }
}
