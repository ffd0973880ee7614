package io.tether.sync.spi;

import java.util.Map;

/**
 * Writes records as the application does: each call is one transaction, runs the persistence hooks, is captured
 * (into the outbox on a replica, the change log on a hub) in that same transaction and published as a
 * {@link io.tether.sync.Origin#LOCAL} batch after commit. Stores wrapping an ORM also capture the ORM's own
 * writes; this interface is the store-neutral way, used by tests, the TCK and tools. Thread-safe.
 */
public interface RecordWriter {
    /** Creates or replaces a record; {@code data} holds every field, its id field equal to {@code id}. */
    void put(String collection, String id, Map<String, Object> data);

    /** Deletes a record; deleting a missing record does nothing. */
    void delete(String collection, String id);
}
