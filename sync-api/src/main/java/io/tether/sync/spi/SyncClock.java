package io.tether.sync.spi;

/**
 * A hybrid logical clock. Stamps are strings that compare, as strings, in causal-then-node order:
 * {@code <13-digit epoch millis>-<4 hex counter>-<node id>} (PROTOCOL.md section 2). Thread-safe.
 */
public interface SyncClock {
    /** A stamp greater than every stamp this clock issued or observed. */
    String now();

    /** Advances the clock past a stamp received from another node. Malformed stamps are ignored. */
    void observe(String stamp);

    /**
     * {@link #observe Observes} a stamp and says whether it was taken: false for one the clock ignores (malformed,
     * or too far ahead of its wall clock). The default takes every stamp.
     */
    default boolean accept(String stamp) {
        observe(stamp);
        return true;
    }

    /** This node's id, the last part of its stamps. */
    String nodeId();
}
