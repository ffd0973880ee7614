package io.tether.sync.spi;

import java.util.Set;

/**
 * A pull (PROTOCOL.md section 4).
 *
 * @param cursor      where to continue, or {@code null} for an initial sync
 * @param limit       page size; the hub clamps it to its maximum
 * @param collections collections to include; empty means all
 */
public record PullRequest(String cursor, int limit, Set<String> collections) {
    public static final int DEFAULT_LIMIT = 500;

    public PullRequest {
        collections = collections == null ? Set.of() : Set.copyOf(collections);
    }

    public static PullRequest from(String cursor, int limit) {
        return new PullRequest(cursor, limit, Set.of());
    }
}
