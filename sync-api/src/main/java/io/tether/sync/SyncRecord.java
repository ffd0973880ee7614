package io.tether.sync;

import java.util.Map;
import java.util.Objects;

/**
 * A live record as a store holds it.
 *
 * @param collection collection name
 * @param id         record id
 * @param data       the fields, JSON-shaped values (String, Long, Double, Boolean, Map, List or null)
 * @param version    the hub version this state is known at (0 for a record never synced)
 */
public record SyncRecord(String collection, String id, Map<String, Object> data, long version) {
    public SyncRecord {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        data = Values.copy(data);
    }
}
