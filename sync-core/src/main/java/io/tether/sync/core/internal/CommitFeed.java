package io.tether.sync.core.internal;

import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.ScopeSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Hands the hub's committed change-log entries to its live subscribers in version order, leaving none out, also
 * those that other hub nodes commit to the same database. The store reports this node's commits in version order;
 * a version missing before one of them was committed elsewhere, so that commit waits while the missing range is
 * read from the store and handed over first. {@link #catchUp} reads what other nodes committed while this one
 * commits nothing; the engine calls it on a timer. Entries are only handed over while {@code wanted} says someone
 * listens; until then nothing is held. Thread-safe.
 */
final class CommitFeed {
    private static final System.Logger LOG = System.getLogger(CommitFeed.class.getName());
    /** Entries read from the store per query while catching up. */
    static final int PAGE = 1000;

    private final HubStore store;
    private final PullFilter everything;
    private final Consumer<List<LogEntry>> handOver;
    private final BooleanSupplier wanted;
    private final Executor catchUps;
    private final AtomicBoolean catchUpQueued = new AtomicBoolean();
    /** Every version at or below was handed over, compacted away, or committed while no one listened. */
    private long through;
    /** This node's commits that came after a version not handed over yet, by first version. */
    private final TreeMap<Long, List<LogEntry>> waiting = new TreeMap<>();

    CommitFeed(HubStore store, List<String> collections, Consumer<List<LogEntry>> handOver, BooleanSupplier wanted,
               Executor catchUps) {
        this.store = store;
        this.everything = new PullFilter(collections.stream().collect(Collectors.toMap(c -> c, c -> ScopeSet.ALL)));
        this.handOver = handOver;
        this.wanted = wanted;
        this.catchUps = catchUps;
        this.through = store.headVersion();
    }

    /**
     * Someone listens again after no one did: versions committed until now are not theirs to receive, so the feed
     * starts from the head. Call before the listener can see anything else of the hub.
     */
    synchronized void listening() {
        waiting.clear();
        through = Math.max(through, store.headVersion());
    }

    /** This node committed {@code entries} (ascending versions, one transaction or consecutive ones). */
    void committed(List<LogEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).version();
        long last = entries.get(entries.size() - 1).version();
        synchronized (this) {
            if (!wanted.getAsBoolean()) {
                waiting.clear();
                through = Math.max(through, last);
                return;
            }
            if (first <= through + 1) {
                handOverAfterThrough(entries);
                handOverWaiting();
                return;
            }
            waiting.put(first, entries);
        }
        requestCatchUp(); // the versions before these were committed by another node
    }

    /** Runs {@link #catchUpQuietly} on the engine's thread, unless one is queued already. */
    void requestCatchUp() {
        if (catchUpQueued.compareAndSet(false, true)) {
            try {
                catchUps.execute(this::catchUpQuietly);
            } catch (RejectedExecutionException e) {
                catchUpQueued.set(false); // the engine is closing: nothing is delivered any more
            }
        }
    }

    /** {@link #catchUp}, logging a failure (the store unreachable, say) instead of throwing: the timer tries again. */
    void catchUpQuietly() {
        catchUpQueued.set(false);
        try {
            catchUp();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reading the change log for live delivery failed; trying again", e);
        }
    }

    /**
     * Reads the entries committed since the last version handed over (by other nodes, or by this one while its
     * report is still on the way) and hands them over, then this node's commits that waited for them.
     */
    void catchUp() {
        long from;
        synchronized (this) {
            if (!wanted.getAsBoolean()) {
                return;
            }
            from = through;
        }
        long head = store.headVersion();
        while (from < head) {
            List<LogEntry> page = store.changesSince(from, head, PAGE, everything);
            long upTo = page.size() < PAGE ? head : page.get(page.size() - 1).version();
            synchronized (this) {
                handOverAfterThrough(page);
                through = Math.max(through, upTo);
                handOverWaiting();
            }
            from = upTo;
        }
    }

    /** Hands over the entries above {@link #through} and moves it to the last one. */
    private void handOverAfterThrough(List<LogEntry> entries) {
        List<LogEntry> fresh = entries;
        if (!entries.isEmpty() && entries.get(0).version() <= through) {
            fresh = new ArrayList<>();
            for (LogEntry e : entries) {
                if (e.version() > through) {
                    fresh.add(e);
                }
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        through = fresh.get(fresh.size() - 1).version();
        handOver.accept(fresh);
    }

    /** Hands over the waiting commits that follow {@link #through} without a gap; drops those at or below it. */
    private void handOverWaiting() {
        while (!waiting.isEmpty()) {
            Map.Entry<Long, List<LogEntry>> next = waiting.firstEntry();
            if (next.getKey() > through + 1) {
                return;
            }
            waiting.pollFirstEntry();
            handOverAfterThrough(next.getValue());
        }
    }
}
