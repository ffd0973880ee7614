package io.tether.sync;

import java.time.Duration;
import java.util.Optional;

/**
 * Moving a message between replica and hub failed. {@link #retryable()} tells the engine whether the same
 * request may be sent again (network error, 5xx, 429, 503); {@link #retryAfter()} carries a server's hint.
 */
public class TransportException extends SyncException {
    private final boolean retryable;
    private final Duration retryAfter;

    public TransportException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public TransportException(String message, boolean retryable) {
        this(message, retryable, null, null);
    }

    public TransportException(String message, Throwable cause) {
        this(message, true, null, cause);
    }

    /** Whether sending the same request again may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** The delay the server asked for before a retry, if it named one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
