package io.tether.sync.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Work inside one atomic replica store transaction: everything commits together or nothing does. Writes made
 * here are remote applies: they are never captured into the outbox (no echo) and are published as
 * {@link io.tether.sync.Origin#REMOTE} after commit. Not thread-safe; valid only inside
 * {@link ReplicaStore#inTransaction}.
 */
public interface ReplicaTransaction {
    /**
     * A hint that this transaction is about to read and write these records of one collection (a pulled page, a
     * push batch): a store over a database may load them, their versions and outbox entries in a few round trips
     * instead of several per record. Everything stays correct without it; the default does nothing.
     */
    default void prefetch(String collection, Collection<String> ids) {
    }

    /** The record, including a local tombstone that still carries a version, or empty. */
    Optional<LocalRecord> read(String collection, String id);

    /**
     * The version {@link #read} reports for the record, 0 when it reports none, without reading the record's
     * data. The engine asks for it first to pass over deliveries the replica already holds (the echo of its own
     * pushes); the default reads the record.
     */
    default long version(String collection, String id) {
        return read(collection, id).map(LocalRecord::version).orElse(0L);
    }

    /** The record's outbox entries in sequence order (at most a SENT or parked one, then a PENDING one). */
    List<OutboxEntry> outboxFor(String collection, String id);

    /** Stores a record's state from the hub and its hub version; {@code data == null} deletes it. */
    void applyRemote(String collection, String id, Map<String, Object> data, long version);

    /** Records the hub version a record is known at, leaving its data alone. */
    void setVersion(String collection, String id, long version);

    /** Inserts or replaces the entry with this sequence. */
    void saveOutbox(OutboxEntry entry);

    /** Removes the entry with this sequence (no-op when absent). */
    void removeOutbox(long sequence);

    /** The stored pull cursor. */
    Optional<String> cursor();

    /** Stores the pull cursor; {@code null} clears it (the next pull is an initial sync). */
    void setCursor(String cursor);

    /**
     * Starts an initial sync (a first sync, or after {@code cursor-expired}): every record without an outbox entry is
     * marked stale, version {@code -|v|} with its data kept (see {@link LocalRecord}), so that the pages that follow
     * refresh exactly the records the hub still has, even at the same version, while the application goes on
     * reading them. The cursor is cleared, and the store remembers, durably, that a resync is under way until
     * {@link #finishResync} ends it. Records with outbox entries are left as they are. Stores do this without holding
     * every record in memory.
     */
    void beginResync();

    /**
     * Queues again, as local changes, up to {@code max} records this replica holds at a hub version above
     * {@code version} (by {@link LocalRecord#baseVersion()}) that have no outbox entry: the hub no longer has those
     * versions (its data was restored from a backup; PROTOCOL.md's {@code cursor-expired} with {@code latestVersion}),
     * and pushing the records again gives them back. Each becomes a new PENDING entry ({@link OutboxEntry#pushAgain}):
     * an upsert of the record's data (every field), or a delete of a record the replica holds deleted, based on
     * {@code version}, the last one the replica's history shares with the hub's, and stamped {@code hlc}. Returns how
     * many; fewer than {@code max} means none is left. The default queues none: the initial sync that follows then
     * removes the records the hub lacks.
     *
     * @param version the last version the replica's history shares with the hub's (not negative)
     * @param hlc     the clock stamp of the entries
     * @param max     how many records this transaction may queue (positive)
     */
    default int queueAgain(long version, String hlc, int max) {
        return 0;
    }

    /**
     * Ends a resync whose pages have all been applied: a record still stale and live with no outbox entry is one
     * the hub no longer has, and up to {@code max} of them are removed, each left as a stale tombstone (no data,
     * version {@code -|v|}); a store that cannot remove one yet (a record it keeps references it by foreign key) may
     * keep it, stale, and count it as removed. Returns how many were removed; a call that removes fewer than
     * {@code max} has ended the resync (one that removes {@code max} may have too). With no resync under way it
     * returns 0 and changes nothing.
     *
     * @param max how many records this transaction may remove (positive)
     */
    int finishResync(int max);
}
