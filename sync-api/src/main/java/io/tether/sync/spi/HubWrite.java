package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A write a hub store makes durable: the record's new state, its change-log entry, and its stamps.
 *
 * @param collection    collection name
 * @param id            record id
 * @param op            upsert or delete
 * @param data          the full new state; {@code null} for a delete
 * @param scope         the record's scope
 * @param changedFields fields this write changed (for a delete: empty)
 * @param hlc           the clock stamp of the write
 */
public record HubWrite(String collection, String id, Operation op, Map<String, Object> data, String scope,
                       Set<String> changedFields, String hlc) {
    public HubWrite {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(scope, "scope");
        if ((op == Operation.DELETE) != (data == null)) {
            throw new IllegalArgumentException("a delete has no data and an upsert has data");
        }
        data = Values.copy(data);
        changedFields = changedFields == null ? Set.of() : Set.copyOf(changedFields);
    }
}
