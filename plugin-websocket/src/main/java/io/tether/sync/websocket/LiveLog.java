package io.tether.sync.websocket;

import io.tether.sync.spi.LogEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The most recent committed change-log entries, in commit order, shared by every live socket: each committed
 * batch is stored once and read by all. Bounded: the oldest entries are dropped and {@link #floor()} rises, so a
 * socket that fell behind the floor continues by pulling from the store. Thread-safe.
 *
 * <p>Completeness: every entry committed after the log subscribed is appended, in order. A socket joins at the
 * version its catch-up pull ended at; that pull read the hub's head after the subscription, so every version above
 * it is either here or still to be appended.
 */
final class LiveLog {
    /** What {@link #after} found. */
    record Slice(List<LogEntry> entries, long last, boolean more, boolean overrun) {
        static final Slice EMPTY = new Slice(List.of(), -1, false, false);
        static final Slice OVERRUN = new Slice(List.of(), -1, false, true);
    }

    private final LogEntry[] ring;
    private int start;
    private int size;
    private long floor = Long.MIN_VALUE;
    private final Map<String, String> encoded = new ConcurrentHashMap<>();

    LiveLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        ring = new LogEntry[capacity];
    }

    synchronized void append(List<LogEntry> entries) {
        for (LogEntry e : entries) {
            if (size == ring.length) {
                floor = ring[start].version();
                ring[start] = null;
                start = (start + 1) % ring.length;
                size--;
            }
            ring[(start + size) % ring.length] = e;
            size++;
        }
        if (encoded.size() > 4096) {
            encoded.clear();
        }
    }

    /** Every entry above this version is held (or not committed yet). */
    synchronized long floor() {
        return floor;
    }

    /** Whether a socket whose catch-up ended at {@code version} can continue from this log. */
    synchronized boolean covers(long version) {
        return version >= floor;
    }

    /**
     * Up to {@code max} entries with a version above {@code after}, in order; {@code overrun} when entries above it
     * were already dropped.
     */
    synchronized Slice after(long after, int max) {
        if (after < floor) {
            return Slice.OVERRUN;
        }
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid).version() <= after) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo == size) {
            return Slice.EMPTY;
        }
        int n = Math.min(max, size - lo);
        List<LogEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(at(lo + i));
        }
        return new Slice(out, out.get(n - 1).version(), lo + n < size, false);
    }

    /** The version of the newest entry held, or {@code Long.MIN_VALUE}. */
    synchronized long newest() {
        return size == 0 ? Long.MIN_VALUE : at(size - 1).version();
    }

    private LogEntry at(int i) {
        return ring[(start + i) % ring.length];
    }

    /** A message text shared by every socket that receives the same unfiltered slice. */
    String shared(String key, Supplier<String> render) {
        return encoded.computeIfAbsent(key, k -> render.get());
    }
}
