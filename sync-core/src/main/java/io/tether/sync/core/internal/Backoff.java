package io.tether.sync.core.internal;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits a random time between half and all of
 * {@code min(max, initial * 2^(n-1))}, and at least what the server asked for. Thread-safe.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final Random random;
    private int failures;

    public Backoff(Duration initial, Duration max, Random random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, was " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt after one more failure. */
    public synchronized Duration next(Duration serverHint) {
        failures = Math.min(failures + 1, 62);
        long ceiling = initialMillis << Math.min(failures - 1, 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        }
        long half = ceiling / 2;
        long delay = half + (long) (random.nextDouble() * (ceiling - half));
        if (serverHint != null) {
            delay = Math.max(delay, Math.min(serverHint.toMillis(), maxMillis));
        }
        return Duration.ofMillis(delay);
    }

    public synchronized void reset() {
        failures = 0;
    }

    public synchronized int failures() {
        return failures;
    }
}
