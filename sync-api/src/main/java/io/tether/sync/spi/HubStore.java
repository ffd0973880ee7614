package io.tether.sync.spi;

import io.tether.sync.RecordQuery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The storage of a hub: records with versions and scopes, the change log, and the dedup table. The semantics of
 * push and pull live in sync-core; a store provides atomic transactions and ordered reads. Thread-safe.
 */
public interface HubStore extends RecordQuery, RecordWriter, AutoCloseable {

    /** Called once by the engine before use. Application writes made directly to the store use its hooks. */
    void open(StoreContext context);

    /**
     * Runs {@code work} in one transaction and commits it; any exception rolls everything back and propagates.
     * Transactions that run at once and read and write one record must not lose each other's writes: the later
     * one reads the record only once the earlier one has committed, or fails. A store may fail it with a
     * {@link io.tether.sync.ProblemException}, which the hub passes to the client as it is (for example
     * {@code rate-limited} when it gave up waiting for a lock).
     */
    <T> T inTransaction(Function<HubTransaction, T> work);

    /** The highest committed version (0 for an empty log). No later commit gets a version at or below it. */
    long headVersion();

    /**
     * Change-log entries with {@code after < version <= upTo} that the filter accepts, in version order, at most
     * {@code limit}.
     */
    List<LogEntry> changesSince(long after, long upTo, int limit, PullFilter filter);

    /**
     * The current state of live records with {@code after < version <= upTo} that the filter accepts, ordered by
     * version, at most {@code limit}, as upsert entries: the pages of an initial sync.
     */
    List<LogEntry> snapshot(long after, long upTo, int limit, PullFilter filter);

    /** Pulls from a cursor below this version are answered with {@code cursor-expired}. */
    long horizon();

    /**
     * Compacts: drops change-log entries superseded by a later entry of the same record (whatever their age), and
     * tombstones and dedup entries committed before {@code cutoff}; raises the horizon to the highest dropped
     * tombstone version. Returns the horizon.
     */
    long compact(Instant cutoff);

    /**
     * When the change-log entry at {@code version} committed, or empty when the log does not hold it (compacted, or
     * never written). The hub marks its cursors with it, so that it recognises a cursor of a history it lost when its
     * data was restored from a backup: it holds another change at that version. The default holds none, and the hub
     * then recognises a restore only by a cursor ahead of its head.
     */
    default Optional<Instant> committedAt(long version) {
        return Optional.empty();
    }

    /**
     * The highest version among the change-log entries committed at or before {@code time}, compared by the
     * millisecond, 0 when none: where the history a cursor marked at {@code time} shares with this one ends. Needed
     * only with {@link #committedAt}.
     */
    default long lastVersionCommittedBy(Instant time) {
        return 0;
    }

    /** Collections the store itself knows (for example from an ORM's metamodel). Default: none. */
    default List<CollectionSchema> collections() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
