package io.tether.sync;

import java.util.List;
import java.util.Optional;

/** Reads the records a store holds. Thread-safe. Deleted records are not returned. */
public interface RecordQuery {
    /** The live record with this id, if any. */
    Optional<SyncRecord> get(String collection, String id);

    /** Every live record of a collection, ordered by id. */
    List<SyncRecord> list(String collection);

    /** How many live records a collection holds. */
    default long count(String collection) {
        return list(collection).size();
    }
}
