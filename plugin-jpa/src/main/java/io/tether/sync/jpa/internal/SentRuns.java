package io.tether.sync.jpa.internal;

import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs of outbox sequences marked SENT together, as {@code tether_outbox_sent} holds them: marking a push batch
 * writes one row per run of consecutive sequences instead of rewriting every entry's row. An entry whose row says
 * PENDING and whose sequence lies in a run is SENT. A run covers only sequences of entries that were PENDING when
 * it was written (sequences are never reused), and an entry's row written again afterwards is taken out of its run,
 * so that the row's own state counts from then on.
 */
final class SentRuns {
    /** First sequence of each run to its last. */
    private final NavigableMap<Long, Long> runs;

    SentRuns(Map<Long, Long> runs) {
        this.runs = new TreeMap<>(runs);
    }

    static final SentRuns NONE = new SentRuns(Map.of());

    boolean contains(long sequence) {
        Map.Entry<Long, Long> run = runs.floorEntry(sequence);
        return run != null && sequence <= run.getValue();
    }

    /** The state of the entry with this sequence whose row says {@code rowState}: SENT for a PENDING row in a run. */
    OutboxState state(long sequence, OutboxState rowState) {
        return rowState == OutboxState.PENDING && contains(sequence) ? OutboxState.SENT : rowState;
    }

    /** The entry as it stands (see {@link #state}). */
    OutboxEntry apply(OutboxEntry rowEntry) {
        OutboxState state = state(rowEntry.sequence(), rowEntry.state());
        return state == rowEntry.state() ? rowEntry : rowEntry.withState(state, null);
    }

    /** Consecutive sequences grouped into runs, first to last, in order. */
    static List<long[]> group(Collection<Long> sequences) {
        List<long[]> out = new ArrayList<>();
        for (long s : new TreeSet<>(sequences)) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && s == last[1] + 1) {
                last[1] = s;
            } else {
                out.add(new long[] {s, s});
            }
        }
        return out;
    }

    /**
     * The runs that change when {@code sequences} are taken out: each run covering one of them, and what is left of
     * it (first to last, possibly several pieces, possibly none).
     */
    Map<Long, List<long[]>> without(Collection<Long> sequences) {
        Map<Long, List<long[]>> changed = new TreeMap<>();
        for (long s : new TreeSet<>(sequences)) {
            Map.Entry<Long, Long> run = runs.floorEntry(s);
            if (run == null || s > run.getValue()) {
                continue;
            }
            List<long[]> pieces = changed.computeIfAbsent(run.getKey(),
                    first -> new ArrayList<>(List.of(new long[] {first, run.getValue()})));
            // in ascending order, s lies in the last piece left of its run
            long[] last = pieces.remove(pieces.size() - 1);
            if (last[0] < s) {
                pieces.add(new long[] {last[0], s - 1});
            }
            if (s < last[1]) {
                pieces.add(new long[] {s + 1, last[1]});
            }
        }
        return changed;
    }
}
