package io.tether.sync.spi;

import io.tether.sync.SyncException;

/**
 * A store refused a write because of the data written (a database constraint, entity validation), not because
 * it failed. On a hub the pushed change is rejected with reason {@code validation} and the other changes of the
 * push are applied; stores throw it from {@code inTransaction}, after rolling the transaction back.
 */
public class WriteRefusedException extends SyncException {
    public WriteRefusedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
