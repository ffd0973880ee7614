package io.tether.sync.spi;

import java.util.List;

/** Answer to a push: one result per change, in request order, and the hub's cursor after them. */
public record PushResponse(List<PushResult> results, String cursor) {
    public PushResponse {
        results = List.copyOf(results);
    }
}
