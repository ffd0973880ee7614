package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A write about to be stored, as persistence hooks see it.
 *
 * @param role          the engine's role
 * @param collection    collection name
 * @param id            record id
 * @param op            upsert or delete
 * @param before        the stored state before, or null
 * @param data          the state to store; null for a delete
 * @param changedFields the fields the write changes; null means all
 * @param principal     on a hub, the principal that pushed it; null for the application's own writes
 */
public record PendingWrite(Role role, String collection, String id, Operation op, Map<String, Object> before,
                           Map<String, Object> data, Set<String> changedFields, Principal principal) {
    public PendingWrite {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        before = Values.copy(before);
        data = Values.copy(data);
        changedFields = changedFields == null ? null : Set.copyOf(changedFields);
    }
}
