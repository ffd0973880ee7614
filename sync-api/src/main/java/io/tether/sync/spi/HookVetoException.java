package io.tether.sync.spi;

import io.tether.sync.SyncException;

/** A persistence hook refused a write; the transaction is rolled back (or the pushed change rejected). */
public class HookVetoException extends SyncException {
    public HookVetoException(String reason) {
        super(reason);
    }
}
