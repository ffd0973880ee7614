package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A write the application made to a replica's store, as the store captures it.
 *
 * @param collection    collection name
 * @param id            record id
 * @param op            upsert or delete
 * @param before        the state before, or null for a new record
 * @param data          the state after; {@code null} for a delete
 * @param changedFields fields that changed; {@code null} means all (an insert)
 */
public record LocalWrite(String collection, String id, Operation op, Map<String, Object> before,
                         Map<String, Object> data, Set<String> changedFields) {
    public LocalWrite {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        before = Values.copy(before);
        data = Values.copy(data);
        changedFields = changedFields == null ? null : Set.copyOf(changedFields);
    }
}
