package io.tether.sync.spi;

import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Work inside one atomic hub store transaction: everything commits together or nothing does. Not thread-safe;
 * valid only inside {@link HubStore#inTransaction}.
 */
public interface HubTransaction {
    /**
     * A hint that this transaction is about to read and write these records of one collection (a push): a store
     * over a database may load their metadata in a few round trips instead of one per record. Everything stays
     * correct without it; the default does nothing.
     */
    default void prefetch(String collection, Collection<String> ids) {
    }

    /** The record, including a tombstone, or empty when the hub never had it (or its tombstone was compacted). */
    Optional<HubRecord> read(String collection, String id);

    /**
     * A hint that this transaction is about to ask {@link #appliedVersion} for these changes of one client (a
     * push): a store over a database may look them up together. Everything stays correct without it; the default
     * does nothing.
     */
    default void prefetchApplied(String clientId, Collection<String> changeIds) {
    }

    /** The version a (clientId, changeId) produced, if it was applied before. */
    OptionalLong appliedVersion(String clientId, String changeId);

    /**
     * Writes a record and appends its change-log entry; returns the new version. Versions are assigned in commit
     * order: a transaction that gets version {@code v} commits before any that gets a larger one becomes
     * visible, so a pull never skips a change that commits late.
     */
    long write(HubWrite write);

    /** Remembers that (clientId, changeId) produced {@code version}, durably, with this transaction. */
    void recordApplied(String clientId, String changeId, long version);
}
