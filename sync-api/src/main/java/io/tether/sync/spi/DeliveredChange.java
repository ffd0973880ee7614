package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;

/**
 * A change the hub delivers in a pull page or a live message (PROTOCOL.md section 2).
 *
 * @param collection collection name
 * @param id         record id
 * @param op         upsert or delete
 * @param version    the record's hub version after this change
 * @param data       the full record for an upsert; {@code null} for a delete
 */
public record DeliveredChange(String collection, String id, Operation op, long version, Map<String, Object> data) {
    public DeliveredChange {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        data = Values.copy(data);
    }
}
