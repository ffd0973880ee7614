package io.tether.sync.core;

import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.SyncClock;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A hybrid logical clock: stamps {@code <13-digit millis>-<4 hex counter>-<node id>} that never go backwards, even
 * when the wall clock does, and that order causally as strings.
 *
 * <p>Send rule ({@link #now}): millis := max(last millis, wall); the counter restarts at 0 when millis moved, else
 * increments; a counter beyond {@code 0xFFFF} advances millis by one. Receive rule ({@link #observe}): the clock
 * moves to at least the received stamp, so the next {@link #now} is greater than it; malformed stamps and stamps
 * more than the maximum drift ahead of the wall clock are ignored.
 *
 * <p>Thread-safe and lock-free: the state is one {@code long} ({@code millis << 16 | counter}) updated by CAS.
 *
 * <pre>{@code
 * SyncClock clock = new HybridClock("hub_1");
 * String stamp = clock.now();   // "1763765150123-0000-hub_1"
 * }</pre>
 */
public final class HybridClock implements SyncClock {
    /** The default maximum distance an observed stamp may be ahead of the wall clock. */
    public static final Duration DEFAULT_MAX_DRIFT = Duration.ofSeconds(60);

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.:]{1,64}");
    private static final int COUNTER_BITS = 16;

    private final String nodeId;
    private final Clock wall;
    private final long maxDriftMillis;
    private final AtomicLong state = new AtomicLong();

    /** A clock on the system wall clock with the default maximum drift. */
    public HybridClock(String nodeId) {
        this(nodeId, Clock.systemUTC());
    }

    /** A clock on {@code wall} with the default maximum drift of 60 s. */
    public HybridClock(String nodeId, Clock wall) {
        this(nodeId, wall, DEFAULT_MAX_DRIFT);
    }

    /**
     * A clock on {@code wall} that ignores observed stamps more than {@code maxDrift} ahead of it.
     *
     * @param nodeId   this node's id, {@code [A-Za-z0-9_.:]{1,64}}
     * @param wall     the physical clock, not null
     * @param maxDrift how far ahead of {@code wall} an observed stamp may be, not negative
     */
    public HybridClock(String nodeId, Clock wall, Duration maxDrift) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("HLC node id must match [A-Za-z0-9_.:]{1,64}, was '" + nodeId + "'");
        }
        Objects.requireNonNull(wall, "wall");
        Objects.requireNonNull(maxDrift, "maxDrift");
        if (maxDrift.isNegative()) {
            throw new IllegalArgumentException("maxDrift must not be negative, was " + maxDrift);
        }
        this.nodeId = nodeId;
        this.wall = wall;
        this.maxDriftMillis = maxDrift.toMillis();
    }

    @Override
    public String now() {
        long wallState = wall.millis() << COUNTER_BITS;
        long next;
        long last;
        do {
            last = state.get();
            // wall ahead: restart the counter at its millis; else increment (a full counter carries into millis)
            next = Math.max(wallState, last + 1);
        } while (!state.compareAndSet(last, next));
        return format(next);
    }

    @Override
    public void observe(String stamp) {
        accept(stamp);
    }

    @Override
    public boolean accept(String stamp) {
        if (!HlcStamp.isValid(stamp)) {
            return false;
        }
        HlcStamp remote = HlcStamp.parse(stamp);
        if (remote.millis() - wall.millis() > maxDriftMillis) {
            return false;
        }
        long remoteState = (remote.millis() << COUNTER_BITS) | remote.counter();
        state.accumulateAndGet(remoteState, Math::max);
        return true;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    private String format(long packed) {
        return new HlcStamp(packed >>> COUNTER_BITS, (int) (packed & 0xFFFF), nodeId).toString();
    }

    @Override
    public String toString() {
        return "HybridClock[" + nodeId + "]";
    }
}
