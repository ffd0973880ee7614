package io.tether.sync.spi;

import io.tether.sync.ChangeBatch;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine gives a store when it opens it. Thread-safe.
 */
public interface StoreContext {
    /** The engine's role. */
    Role role();

    /** Stamps local writes. */
    SyncClock clock();

    /** A collection of the engine's schema. */
    Optional<CollectionSchema> collection(String name);

    /**
     * Runs the persistence hooks on a local write before the store keeps it. Returns the data to store (hooks may
     * transform it); throws {@link HookVetoException} when a hook vetoes.
     */
    Map<String, Object> beforeStore(PendingWrite write);

    /**
     * Publishes a committed batch to change listeners and after-commit hooks: once for every committed transaction
     * that changed records (local writes, remote applies, pushes), only after it committed, never for a rollback.
     */
    void committed(ChangeBatch batch);

    /**
     * On a hub: publishes the change-log entries of every committed transaction, for live delivery. Calls may come
     * out of version order when transactions commit concurrently: the engine hands entries on in version order,
     * reading the change log for a version it has not been told of.
     */
    void logged(List<LogEntry> entries);

    /**
     * On a hub whose store several hub nodes share: another node appended to the change log. The engine reads what
     * it has not published yet at once (it also looks every {@code tether.node-poll-interval}, so a store that
     * cannot tell loses no change, only time).
     */
    default void loggedElsewhere() {
    }

    /** JSON text for stores that keep record data in a text column. */
    JsonText json();

    /** Converts record data to and from JSON text. */
    interface JsonText {
        String write(Map<String, Object> data);

        Map<String, Object> read(String json);
    }
}
