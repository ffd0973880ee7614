package io.tether.sync.spi;

import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;

/**
 * A record as a hub's store keeps it, including tombstones.
 *
 * @param collection collection name
 * @param id         record id
 * @param data       the fields; {@code null} when deleted
 * @param version    the version of the last write
 * @param scope      the record's scope
 * @param hlc        the clock stamp of the last write
 * @param stamps     per-field stamps of the last write to each field
 */
public record HubRecord(String collection, String id, Map<String, Object> data, long version, String scope,
                        String hlc, Map<String, FieldStamp> stamps) {
    public HubRecord {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scope, "scope");
        data = Values.copy(data);
        stamps = stamps == null ? Map.of() : Map.copyOf(stamps);
    }

    public boolean deleted() {
        return data == null;
    }
}
