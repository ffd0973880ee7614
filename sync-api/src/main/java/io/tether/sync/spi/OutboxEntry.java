package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A local change waiting for the hub.
 *
 * @param sequence    local sequence; the outbox is ordered by it and {@code changeId} is derived from it
 * @param changeId    {@code clientId:} + zero-padded sequence
 * @param collection  collection name
 * @param id          record id
 * @param op          upsert or delete
 * @param data        the full local record for an upsert; {@code null} for a delete
 * @param fields      fields changed since {@code baseVersion}; {@code null} means all
 * @param baseVersion the hub version the edit is based on (0 for a record created here)
 * @param hlc         clock stamp of the latest local write folded into this entry
 * @param state       where the entry stands
 * @param parked      the hub's answer for {@link OutboxState#CONFLICT} and {@link OutboxState#REJECTED}; for
 *                    {@link OutboxState#SENT}, the latest hub state a pull delivered while the answer was awaited;
 *                    else null
 */
public record OutboxEntry(long sequence, String changeId, String collection, String id, Operation op,
                          Map<String, Object> data, Set<String> fields, long baseVersion, String hlc,
                          OutboxState state, Parked parked) {
    public OutboxEntry {
        Objects.requireNonNull(changeId, "changeId");
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(state, "state");
        data = Values.copy(data);
        fields = fields == null ? null : Set.copyOf(fields);
    }

    /**
     * What the hub said about an entry that waits: its answer (conflict or rejection), or the state it delivered.
     *
     * @param reason     reject reason, the conflict resolution ({@code manual}), or {@code delivered}
     * @param message    the hub's message, or null
     * @param hubData    the hub's state for a conflict (null when deleted or for a rejection)
     * @param hubVersion the hub's version for a conflict, 0 for a rejection
     */
    public record Parked(String reason, String message, Map<String, Object> hubData, long hubVersion) {
        public Parked {
            hubData = Values.copy(hubData);
        }
    }

    /**
     * The outbox entry after a local write: the capture rule every replica store follows, so that repeated edits
     * coalesce the same way everywhere.
     *
     * <ul>
     *   <li>When the record has a {@link OutboxState#PENDING} entry (the latest: {@link #pendingOf}), the write
     *       folds into it: same sequence and change id, latest data and op, union of changed fields, same base
     *       version.</li>
     *   <li>A record created here and deleted before anything about it was ever sent folds into nothing: the
     *       result is {@code null} and the store removes the PENDING entry.</li>
     *   <li>Otherwise the write becomes a new PENDING entry with {@code newSequence}, based on
     *       {@code baseVersion} (the hub version the replica holds for the record).</li>
     * </ul>
     * The store saves the result with {@link ReplicaTransaction#saveOutbox} (replacing by sequence).
     *
     * @param entries     all outbox entries of the record, in sequence order
     * @param write       the local write
     * @param clientId    this replica's client id
     * @param newSequence a fresh local sequence, used only when no entry is pending
     * @param baseVersion the record's {@link LocalRecord#baseVersion()} (0 when the replica does not have it)
     * @param hlc         the clock stamp of the write
     */
    public static OutboxEntry capture(java.util.List<OutboxEntry> entries, LocalWrite write, String clientId,
                                      long newSequence, long baseVersion, String hlc) {
        OutboxEntry pending = pendingOf(entries);
        if (pending == null) {
            return new OutboxEntry(newSequence, Change.changeId(clientId, newSequence), write.collection(),
                    write.id(), write.op(), write.data(), write.changedFields(), baseVersion, hlc,
                    OutboxState.PENDING, null);
        }
        if (write.op() == Operation.DELETE && pending.baseVersion == 0 && pending.op == Operation.UPSERT
                && entries.size() == 1) {
            return null;
        }
        Set<String> fields = null;
        if (pending.fields != null && write.changedFields() != null && write.op() == Operation.UPSERT
                && pending.op == Operation.UPSERT) {
            fields = new LinkedHashSet<>(pending.fields);
            fields.addAll(write.changedFields());
        }
        return new OutboxEntry(pending.sequence, pending.changeId, pending.collection, pending.id, write.op(),
                write.data(), fields, pending.baseVersion, hlc, OutboxState.PENDING, null);
    }

    /**
     * The record's PENDING entry among {@code entries} (in sequence order), or null; the latest, should there be two
     * (a change put back into the push loop, by {@code retry} or to be sent again, behind a later local change): a
     * new write folds into that one, so that the record's latest state is pushed last.
     */
    public static OutboxEntry pendingOf(java.util.List<OutboxEntry> entries) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).state == OutboxState.PENDING) {
                return entries.get(i);
            }
        }
        return null;
    }

    /**
     * The entry that pushes again a record the replica holds from the hub ({@link ReplicaTransaction#queueAgain}):
     * PENDING, an upsert of its data with every field, or a delete when it holds it deleted.
     *
     * @param record      the record as the replica holds it
     * @param clientId    this replica's client id
     * @param sequence    a fresh local sequence
     * @param baseVersion the last version the replica's history shares with the hub's
     * @param hlc         the clock stamp of the entry
     */
    public static OutboxEntry pushAgain(LocalRecord record, String clientId, long sequence, long baseVersion,
                                        String hlc) {
        return new OutboxEntry(sequence, Change.changeId(clientId, sequence), record.collection(), record.id(),
                record.deleted() ? Operation.DELETE : Operation.UPSERT, record.data(), null, baseVersion, hlc,
                OutboxState.PENDING, null);
    }

    /** This entry as a pushed change. */
    public Change toChange() {
        return new Change(changeId, collection, id, op, data, fields == null ? null : List.copyOf(fields),
                baseVersion, hlc);
    }

    public OutboxEntry withState(OutboxState newState, Parked newParked) {
        return new OutboxEntry(sequence, changeId, collection, id, op, data, fields, baseVersion, hlc, newState,
                newParked);
    }

    public OutboxEntry withBaseVersion(long newBase) {
        return new OutboxEntry(sequence, changeId, collection, id, op, data, fields, newBase, hlc, state, parked);
    }
}
