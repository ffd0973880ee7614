package io.tether.sync;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a replica's sync state.
 *
 * @param pendingChanges  local changes not yet acknowledged by the hub (including parked ones)
 * @param rejectedChanges changes the hub rejected, waiting for the application
 * @param openConflicts   conflicts in the manual queue
 * @param lastSuccess     when the last complete sync cycle finished, or {@code null}
 * @param lastError       the message of the last failure since that success, or {@code null}
 * @param cursor          the stored pull cursor, or {@code null} before the first sync
 * @param uploadsPaused   whether pushing is paused
 * @param downloadsPaused whether pulling and live delivery are paused
 * @param live            whether a live subscription is currently delivering changes
 */
public record SyncStatus(long pendingChanges, long rejectedChanges, long openConflicts, Instant lastSuccess,
                         String lastError, String cursor, boolean uploadsPaused, boolean downloadsPaused,
                         boolean live) {
    public Optional<Instant> lastSuccessTime() {
        return Optional.ofNullable(lastSuccess);
    }

    public Optional<String> lastErrorMessage() {
        return Optional.ofNullable(lastError);
    }
}
