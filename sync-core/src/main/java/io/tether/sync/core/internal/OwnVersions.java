package io.tether.sync.core.internal;

import java.util.Arrays;

/**
 * The versions the hub gave this replica's own pushes during one sync cycle, once their answers are settled: the
 * replica holds each such record at that version or later, so its delivery in the cycle's pull is the echo of the
 * push and is passed over without a store read. Eight bytes a version, so a million pushed changes take 8 MB. Not
 * thread-safe: filled while the cycle pushes, read while it pulls.
 */
final class OwnVersions {
    private static final long[] NONE = new long[0];

    private long[] versions = NONE;
    private int size;
    private boolean sorted = true;

    void add(long version) {
        if (size == versions.length) {
            versions = Arrays.copyOf(versions, Math.max(64, size * 2));
        }
        if (size > 0 && version < versions[size - 1]) {
            sorted = false;
        }
        versions[size++] = version;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean contains(long version) {
        if (!sorted) {
            Arrays.sort(versions, 0, size);
            sorted = true;
        }
        return Arrays.binarySearch(versions, 0, size, version) >= 0;
    }

    void clear() {
        versions = NONE;
        size = 0;
        sorted = true;
    }
}
