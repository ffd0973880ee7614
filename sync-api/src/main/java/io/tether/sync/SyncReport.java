package io.tether.sync;

/**
 * What one sync cycle did.
 *
 * @param pushed    changes the hub acknowledged (applied, duplicate or merged)
 * @param conflicts changes that came back as conflicts
 * @param rejected  changes the hub rejected
 * @param pulled    delivered changes applied locally (re-deliveries skipped by version are not counted)
 * @param cursor    the cursor after the cycle
 */
public record SyncReport(int pushed, int conflicts, int rejected, int pulled, String cursor) {
}
