package io.tether.sync.spi;

import io.tether.sync.SyncException;

import java.util.Objects;

/**
 * A store refused a write because of the data written (a database constraint, a value its column cannot hold, entity
 * validation, a record larger than it keeps), not because it failed. On a hub the pushed change is rejected with
 * {@link #reason()} and the other changes of the push are applied; stores throw it from {@code inTransaction}, after
 * rolling the transaction back.
 */
public class WriteRefusedException extends SyncException {
    private final RejectReason reason;

    /** A refusal for reason {@code validation}. */
    public WriteRefusedException(String message, Throwable cause) {
        this(RejectReason.VALIDATION, message, cause);
    }

    /**
     * @param reason  what the rejected change is answered with: {@code validation} for data the store cannot take,
     *                {@code too_large} for a record larger than it keeps
     * @param message what is wrong, for the client
     * @param cause   the store's failure, or null
     */
    public WriteRefusedException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The reason the pushed change is rejected with. */
    public RejectReason reason() {
        return reason;
    }
}
