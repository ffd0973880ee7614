package io.tether.sync.spi;

import io.tether.sync.Subscription;

/**
 * The replica side of a transport: moves protocol messages to a hub. Implementations throw
 * {@link io.tether.sync.TransportException} when the hub could not be reached or answered with a retryable
 * failure, and {@link io.tether.sync.ProblemException} when it answered with a problem. Thread-safe.
 */
public interface SyncTransport extends AutoCloseable {
    /** Sends a push and returns the hub's answer. */
    PushResponse push(PushRequest request);

    /** Fetches a page. */
    PullResponse pull(PullRequest request);

    /** Fetches the hub's schema. */
    Schema schema();

    /** Whether {@link #subscribe} is supported. Default: false. */
    default boolean supportsLive() {
        return false;
    }

    /**
     * Opens a live subscription from {@code cursor} ({@code null} for an initial sync). Pages arrive on the
     * listener in order, catch-up first; the transport acknowledges a page after the listener returns.
     */
    default Subscription subscribe(String cursor, LiveListener listener) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no live delivery");
    }

    /** Releases connections. Idempotent. */
    @Override
    default void close() {
    }

    /** Receives what a live subscription delivers. Called on one thread at a time, in order. */
    interface LiveListener {
        /** A page of changes; apply it with its cursor before returning. */
        void onPage(PullResponse page);

        /** The cursor expired: the replica runs an initial sync. */
        void onResync();

        /** The subscription ended: {@code error} is null for a normal close. */
        void onClosed(Throwable error);
    }
}
