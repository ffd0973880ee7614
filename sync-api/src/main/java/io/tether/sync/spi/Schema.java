package io.tether.sync.spi;

import java.util.List;
import java.util.Optional;

/** The hub's schema (PROTOCOL.md section 5): a version and its collections. */
public record Schema(int version, List<CollectionSchema> collections) {
    public Schema {
        if (version < 1) {
            throw new IllegalArgumentException("schema version must be positive, was " + version);
        }
        collections = List.copyOf(collections);
    }

    public Optional<CollectionSchema> collection(String name) {
        return collections.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
