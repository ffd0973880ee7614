package io.tether.sync.spi;

import java.util.List;
import java.util.Objects;

/** A page of delivered changes, the cursor after it, and whether more pages follow. */
public record PullResponse(List<DeliveredChange> changes, String cursor, boolean hasMore) {
    public PullResponse {
        changes = List.copyOf(changes);
        Objects.requireNonNull(cursor, "cursor");
    }
}
