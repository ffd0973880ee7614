package io.tether.sync;

/**
 * Callbacks about the sync itself (as opposed to data changes). All methods default to doing nothing.
 * Called on the sync thread; keep them short.
 */
public interface SyncListener {
    /** A conflict entered the manual queue. */
    default void onConflict(Conflict conflict) {
    }

    /** The hub rejected a local change; it left the retry loop. */
    default void onRejected(RejectedChange rejected) {
    }

    /** A sync cycle completed. */
    default void onSynced(SyncReport report) {
    }

    /** A sync cycle failed; the engine retries with backoff when {@code retrying} is true. */
    default void onError(SyncException error, boolean retrying) {
    }
}
