package io.tether.sync.spi;

import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;

/**
 * A record as a replica's store keeps it.
 *
 * @param collection collection name
 * @param id         record id
 * @param data       the fields; {@code null} when deleted locally or remotely
 * @param version    the hub version this replica holds the record at (0 when never synced). A negative value
 *                   {@code -v} marks a record whose local edits are based on hub version {@code v} but whose data
 *                   may differ from the hub's at {@code v} (a push was acknowledged as {@code duplicate}, without
 *                   the stored record): the next delivery of the record at version {@code v} or later is applied.
 *                   Stores keep the value as given.
 */
public record LocalRecord(String collection, String id, Map<String, Object> data, long version) {
    public LocalRecord {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        data = Values.copy(data);
    }

    /** The hub version local edits are based on: the base version of a new outbox entry. */
    public long baseVersion() {
        return Math.abs(version);
    }

    /** Whether the data may differ from the hub's at {@link #baseVersion()} (see {@code version}). */
    public boolean stale() {
        return version < 0;
    }

    public boolean deleted() {
        return data == null;
    }

    /**
     * Whether a record held at {@code version} (as above: negative is stale, 0 never synced) already holds a delivery
     * at {@code delivered}, which is then not applied: a re-delivery, or the echo of the replica's own push.
     */
    public static boolean holds(long version, long delivered) {
        return version < 0 ? delivered < -version : version != 0 && version >= delivered;
    }
}
