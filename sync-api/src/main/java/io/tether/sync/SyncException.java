package io.tether.sync;

/**
 * Root of every exception Tether throws. Unchecked; subtypes say what went wrong and what to do about it:
 * {@link ConfigurationException}, {@link TransportException}, {@link ProblemException}.
 */
public class SyncException extends RuntimeException {
    public SyncException(String message) {
        super(message);
    }

    public SyncException(String message, Throwable cause) {
        super(message, cause);
    }
}
