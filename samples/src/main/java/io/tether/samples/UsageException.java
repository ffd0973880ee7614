package io.tether.samples;

/** A command line that cannot run: the message says what is wrong; the command exits with status 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
