package io.tether.sync.spi;

import io.tether.sync.RecordQuery;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The storage of a replica: records with their hub versions, the outbox, and the cursor. Local writes are made
 * through the store's own API (or the ORM it wraps) and captured with {@link OutboxEntry#capture} in the same
 * transaction; the sync semantics live in sync-core, which uses {@link #inTransaction}. Thread-safe.
 */
public interface ReplicaStore extends RecordQuery, RecordWriter, AutoCloseable {

    /** Called once by the engine before use. */
    void open(StoreContext context);

    /**
     * This installation's client id: generated once (a UUID) and kept durably. Available before {@link #open}: the
     * engine derives its clock's node id from it.
     */
    String clientId();

    /** Runs {@code work} in one transaction and commits it; any exception rolls everything back and propagates. */
    <T> T inTransaction(Function<ReplicaTransaction, T> work);

    /**
     * Runs one transaction of a push, like {@link #inTransaction}: {@code work} marks outbox entries sent and settles
     * the hub's answers. A store that takes committed local writes into its outbox after their commit (a capture
     * journal) may run it before it has taken them all in, so that the push of a long offline stretch starts at once;
     * the writes it has not taken in then count as made after this transaction. Should the work do more than read
     * records, read and write outbox entries and set versions (apply a record, for a merged answer), such a store
     * rolls it back and runs it again once it has taken them all in: the work must leave no effect outside the
     * transaction until it returns. Default: {@link #inTransaction}.
     */
    default <T> T inPushTransaction(Function<ReplicaTransaction, T> work) {
        return inTransaction(work);
    }

    /** The stored pull cursor. */
    Optional<String> cursor();

    /** Outbox entries in the given states, in sequence order, at most {@code limit}. */
    List<OutboxEntry> outbox(Set<OutboxState> states, int limit);

    /**
     * Outbox entries in the given states with a sequence above {@code afterSequence}, in sequence order, at most
     * {@code limit}: the engine reads the outbox on from where its last read stopped, for a push. Like
     * {@link #inPushTransaction}, a store may answer before it has taken every committed local write into the
     * outbox, as long as it answers {@code limit} entries; fewer means that there are no more. The default reads
     * from the start, in growing reads; a store that can seek by sequence should override it.
     */
    default List<OutboxEntry> outbox(Set<OutboxState> states, long afterSequence, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        int read = limit;
        while (true) {
            List<OutboxEntry> all = outbox(states, read);
            List<OutboxEntry> after = all.stream().filter(e -> e.sequence() > afterSequence).limit(limit).toList();
            if (after.size() >= limit || all.size() < read || read == Integer.MAX_VALUE) {
                return after;
            }
            read = (int) Math.min(Integer.MAX_VALUE, 2L * read);
        }
    }

    /** How many outbox entries are in the given states. */
    long outboxCount(Set<OutboxState> states);

    /** Collections the store itself knows (for example from an ORM's metamodel). Default: none. */
    default List<CollectionSchema> collections() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
