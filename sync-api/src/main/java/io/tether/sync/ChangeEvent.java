package io.tether.sync;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One committed change to one record.
 *
 * @param collection    collection name
 * @param id            record id, as a string
 * @param op            upsert or delete
 * @param before        state before the change, or {@code null} when unknown or the record is new
 * @param after         state after the change, or {@code null} for a delete
 * @param changedFields fields this change modified (all fields for an insert); never null
 * @param version       the hub version of the record after this change, or 0 on a replica for a local write
 */
public record ChangeEvent(String collection, String id, Operation op, Map<String, Object> before,
                          Map<String, Object> after, Set<String> changedFields, long version) {
    public ChangeEvent {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        changedFields = changedFields == null ? Set.of() : Set.copyOf(changedFields);
    }
}
