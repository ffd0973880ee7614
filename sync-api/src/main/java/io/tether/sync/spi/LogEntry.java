package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a hub's change log: the change that gave a record {@code version}.
 *
 * @param version     the version, unique and growing in commit order
 * @param collection  collection name
 * @param id          record id
 * @param op          upsert or delete
 * @param data        the record after the change; {@code null} for a delete
 * @param scope       the record's scope
 * @param committedAt when it committed (for retention)
 */
public record LogEntry(long version, String collection, String id, Operation op, Map<String, Object> data,
                       String scope, Instant committedAt) {
    public LogEntry {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(scope, "scope");
        data = Values.copy(data);
    }

    /** The entry as the protocol delivers it. */
    public DeliveredChange toDelivered() {
        return new DeliveredChange(collection, id, op, version, op == Operation.DELETE ? null : data);
    }
}
