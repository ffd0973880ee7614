package io.tether.sync;

import java.util.List;
import java.util.Objects;

/**
 * The changes of one committed transaction, delivered after commit and never for a rolled-back one.
 *
 * @param sequence a per-node number that grows with every batch, for ordering and gap detection
 * @param origin   {@link Origin#REMOTE} for changes applied from the other side (ignore them to avoid echoes)
 * @param changes  the changes, in the order they were made, merged per record
 */
public record ChangeBatch(long sequence, Origin origin, List<ChangeEvent> changes) {
    public ChangeBatch {
        Objects.requireNonNull(origin, "origin");
        changes = List.copyOf(changes);
    }
}
