package io.tether.sync.core.internal;

import io.tether.sync.SyncException;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ReplicaStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Chooses push batches for one push, reading the outbox on from where the previous choice stopped instead of from
 * its start. Entries up to the {@code floor} are accounted for: sent in an earlier batch of this push, or parked
 * as conflicts (their records stay blocked). Entries behind another unresolved entry of their record stop the floor,
 * so they are read again once that entry is settled. New entries of a record always get a higher sequence than
 * its existing ones, so nothing a record needs to wait for lies below the floor. Used by one thread at a time.
 */
final class OutboxScan {
    static final Set<OutboxState> UNRESOLVED = EnumSet.of(OutboxState.PENDING, OutboxState.SENT, OutboxState.CONFLICT);

    private final ReplicaStore store;
    private long floor = Long.MIN_VALUE;
    private final Set<RecordKey> parked = new HashSet<>();

    OutboxScan(ReplicaStore store) {
        this.store = store;
    }

    /** Reads from the start again (after a batch was given up, and before deciding that a push is done). */
    void restart() {
        floor = Long.MIN_VALUE;
        parked.clear();
    }

    /**
     * An entry this push sent waits (parked as a conflict, or to be sent again at the end of the push): its record
     * stays blocked until the outbox is read from the start again.
     */
    void parked(OutboxEntry entry) {
        parked.add(key(entry));
    }

    /**
     * The next batch: at most {@code size} entries in outbox order, at most one per record, none behind an
     * unresolved entry of its record, none of {@code inFlight} nor behind them.
     */
    List<OutboxEntry> next(int size, Collection<OutboxEntry> inFlight) {
        Set<RecordKey> blocked = new HashSet<>(parked);
        Set<Long> flying = new HashSet<>();
        for (OutboxEntry e : inFlight) {
            blocked.add(key(e));
            flying.add(e.sequence());
        }
        List<OutboxEntry> batch = new ArrayList<>();
        boolean contiguous = true;
        long after = floor;
        while (batch.size() < size) {
            List<OutboxEntry> page = store.outbox(UNRESOLVED, after, size);
            for (OutboxEntry e : page) {
                if (e.sequence() <= after) {
                    // a store that ignores the sequence would hand out the same entries forever
                    throw new SyncException("the replica store answered a read of the outbox after sequence " + after
                            + " with entry " + e.sequence() + "; ReplicaStore.outbox(states, afterSequence, limit) must "
                            + "return only later entries, in sequence order");
                }
                after = e.sequence();
                RecordKey key = key(e);
                boolean accounted;
                if (flying.contains(e.sequence())) {
                    accounted = true;
                } else if (e.state() == OutboxState.CONFLICT) {
                    accounted = true;
                    parked.add(key);
                    blocked.add(key);
                } else if (blocked.add(key)) {
                    batch.add(e);
                    accounted = true;
                } else {
                    accounted = false; // behind an unresolved entry of its record: read again later
                }
                contiguous &= accounted;
                if (contiguous) {
                    floor = e.sequence();
                }
                if (batch.size() >= size) {
                    break;
                }
            }
            if (page.size() < size) {
                break;
            }
        }
        return batch;
    }

    private static RecordKey key(OutboxEntry e) {
        return new RecordKey(e.collection(), e.id());
    }
}
