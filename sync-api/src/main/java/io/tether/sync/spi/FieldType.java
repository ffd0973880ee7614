package io.tether.sync.spi;

import java.util.Locale;

/** Field types of the schema (PROTOCOL.md section 5). */
public enum FieldType {
    STRING, INTEGER, NUMBER, BOOLEAN, /** RFC 3339 string. */ TIMESTAMP, JSON;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FieldType fromWire(String value) {
        for (FieldType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown field type '" + value + "'");
    }
}
