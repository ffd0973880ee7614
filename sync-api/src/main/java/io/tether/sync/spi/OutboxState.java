package io.tether.sync.spi;

/** Where an outbox entry stands. */
public enum OutboxState {
    /** Captured, never sent: further local edits of the record coalesce into it. */
    PENDING,
    /** Sent at least once; the hub may have applied it. Later edits queue behind it. */
    SENT,
    /** The hub answered {@code conflict} with {@code manual}: waits in the conflict queue. */
    CONFLICT,
    /** The hub answered {@code rejected}: out of the retry loop until retried or dismissed. */
    REJECTED
}
