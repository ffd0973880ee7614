package io.tether.sync.jpa.internal;

import java.util.List;

/** Where a store puts a transaction's captured writes: the outbox on a replica, the change log on a hub. */
public interface ChangeSink {
    /** In before-completion: writes the captured changes durably, in the same transaction. */
    void write(ChangeBuffer buffer, List<CapturedChange> changes);

    /** After a successful commit: publishes the transaction's events. */
    void publish(ChangeBuffer buffer);
}
