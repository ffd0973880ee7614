package io.tether.sync.spi;

import java.util.List;
import java.util.Objects;

/** Body of {@code POST /sync/v1/push}. */
public record PushRequest(String clientId, List<Change> changes) {
    public PushRequest {
        Objects.requireNonNull(clientId, "clientId");
        changes = List.copyOf(changes);
    }
}
