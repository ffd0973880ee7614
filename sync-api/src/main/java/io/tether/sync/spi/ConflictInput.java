package io.tether.sync.spi;

import java.util.Objects;

/**
 * What a conflict resolver decides on: a pushed change whose base version is not the hub's current version.
 *
 * @param collection the collection's schema
 * @param change     the pushed change (its {@code hlc} is set: the hub stamps changes that came without one)
 * @param current    the hub's current state (possibly a tombstone)
 */
public record ConflictInput(CollectionSchema collection, Change change, HubRecord current) {
    public ConflictInput {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(current, "current");
    }
}
