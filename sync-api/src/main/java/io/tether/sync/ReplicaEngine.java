package io.tether.sync;

import io.tether.sync.spi.PersistenceHook;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A replica: a node with a local store that captures local writes into an outbox, pushes them to a hub, pulls
 * the hub's changes and applies them. Thread-safe; one sync cycle runs at a time.
 *
 * <pre>{@code
 * ReplicaEngine engine = Tether.replica()
 *         .store(store)
 *         .plugin("rest").property("tether.rest.url", "http://localhost:8080")
 *         .build()
 *         .start();
 * engine.syncNow();
 * }</pre>
 */
public interface ReplicaEngine extends AutoCloseable {

    /** Starts plugins and the scheduler. Returns this engine. Calling it twice is harmless. */
    ReplicaEngine start();

    /** Runs one sync cycle (push, then pull until the hub has no more) and waits for it. */
    SyncReport syncNow();

    /** Asks for a sync cycle soon; the future completes when a cycle that started after this call ends. */
    CompletableFuture<SyncReport> requestSync();

    /** The current sync state. */
    SyncStatus status();

    void pauseUploads();

    void resumeUploads();

    void pauseDownloads();

    void resumeDownloads();

    /** Receives every committed batch of this replica's store, local and remote. */
    Subscription onChange(ChangeListener listener);

    /** Receives conflicts, rejections, cycle results and errors. */
    Subscription addSyncListener(SyncListener listener);

    /** The manual-conflict queue. */
    ConflictQueue conflicts();

    /** Changes the hub rejected, oldest first. */
    List<RejectedChange> rejected();

    /** Puts a rejected change back into the push loop (after the application corrected the record). */
    void retry(RejectedChange rejected);

    /**
     * Drops a rejected change and gives the record back the hub's state: unless later local changes of the record
     * wait to be pushed (they carry the record's state and are pushed as usual), the next sync is an initial sync,
     * which delivers every record again, restores this one to the hub's state and removes it if the hub does not
     * have it.
     */
    void dismiss(RejectedChange rejected);

    /** Reads the local store. */
    RecordQuery records();

    /** This installation's stable client id. */
    String clientId();

    /** Stops the scheduler, live subscriptions and plugins. Idempotent. */
    @Override
    void close();

    /** Configures a replica. Every setter returns this builder; {@code null} means "use the default". */
    interface Builder {
        /** The local store (required unless a plugin provides one). */
        Builder store(ReplicaStore store);

        /** The transport to the hub (required unless a transport plugin such as {@code rest} is enabled). */
        Builder transport(SyncTransport transport);

        /** Enables a plugin by name; it must be on the class path. */
        Builder plugin(String name);

        /** Sets a namespaced property such as {@code tether.rest.url}. */
        Builder property(String key, String value);

        /** Sets many properties; keys outside {@code tether.} are ignored. */
        Builder properties(Map<String, String> properties);

        /** Adds a persistence hook that runs on local writes. */
        Builder hook(PersistenceHook hook);

        /** The schema this replica was built for; its version is sent to the hub. Default: none. */
        Builder schema(Schema schema);

        /** Periodic sync interval; {@link Duration#ZERO} turns periodic sync off. Default: 30 s. */
        Builder pollInterval(Duration interval);

        /** Sync this long after the last local write; {@link Duration#ZERO} turns it off. Default: 500 ms. */
        Builder debounce(Duration delay);

        /** First and largest delay of the exponential retry backoff. Default: 1 s and 5 min. */
        Builder retryBackoff(Duration initial, Duration max);

        /** Changes per push request (1..1000). Default: 500. */
        Builder pushBatchSize(int size);

        /** Changes per pull page (1..5000). Default: 500. */
        Builder pullPageSize(int size);

        /** Seed for the backoff jitter, for repeatable tests. Default: random. */
        Builder jitterSeed(long seed);

        ReplicaEngine build();
    }
}
