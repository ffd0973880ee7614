package io.tether.sync.spi;

import java.util.Objects;

/** One field of a collection: its JSON name, type and whether it may be null. */
public record FieldSchema(String name, FieldType type, boolean nullable) {
    public FieldSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
