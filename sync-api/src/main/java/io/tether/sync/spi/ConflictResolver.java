package io.tether.sync.spi;

/**
 * Decides a conflict on the hub. Must be deterministic: the same input gives the same resolution. Thread-safe.
 *
 * <pre>{@code
 * ConflictResolver doneWins = in -> Boolean.TRUE.equals(in.change().data().get("done"))
 *         ? Resolution.TAKE_CLIENT : Resolution.KEEP_HUB;
 * }</pre>
 */
@FunctionalInterface
public interface ConflictResolver {
    Resolution resolve(ConflictInput input);

    /** The name reported as {@code resolution} in a {@code conflict} result. Default: {@code custom}. */
    default String name() {
        return "custom";
    }
}
