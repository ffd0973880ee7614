package io.tether.sync;

import java.util.List;
import java.util.Map;

/**
 * The conflicts a {@code manual} policy left for the application. Durable: the queue lives in the replica's
 * store. Thread-safe.
 *
 * <pre>{@code
 * for (Conflict c : engine.conflicts().list()) {
 *     engine.conflicts().resolveWith(c, mergeByHand(c.local(), c.hub()));
 * }
 * }</pre>
 */
public interface ConflictQueue {
    /** Open conflicts, oldest first. */
    List<Conflict> list();

    /** Accepts the hub's state: the local change is dropped and the record takes the hub's state. */
    void acceptHub(Conflict conflict);

    /** Keeps the local state: it is pushed again, based on the hub's current version. */
    void keepLocal(Conflict conflict);

    /**
     * Stores {@code data} locally and pushes it, based on the hub's current version; {@code null} deletes.
     */
    void resolveWith(Conflict conflict, Map<String, Object> data);
}
