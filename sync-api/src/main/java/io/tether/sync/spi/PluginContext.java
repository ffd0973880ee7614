package io.tether.sync.spi;

import io.tether.sync.ChangeListener;
import io.tether.sync.RecordQuery;
import io.tether.sync.Subscription;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the engine offers a plugin: change events, schema, hooks, the local store, its configuration, a scheduler
 * and the clock; on a hub the protocol logic, on a replica a place to install a transport. Thread-safe.
 */
public interface PluginContext {
    Role role();

    /** The plugin's properties ({@code tether.<name>.*}). */
    PluginConfig config();

    /** Receives committed change batches of this node's store; remote applies have origin REMOTE. */
    Subscription onChange(ChangeListener listener);

    /** The engine's schema; on a replica the one it was built with, or {@code null} when it was built without one. */
    Schema schema();

    /** Adds a persistence hook. */
    Subscription addHook(PersistenceHook hook);

    /** Reads the local store. */
    RecordQuery records();

    /** A shared scheduler for periodic work; tasks must not block for long. Shut down by the engine. */
    ScheduledExecutorService scheduler();

    SyncClock clock();

    /** The protocol's JSON codec. */
    ProtocolCodec codec();

    /** On a hub: the protocol logic to serve. Empty on a replica. */
    Optional<HubService> hub();

    /**
     * On a replica: installs the transport to the hub. Throws {@link io.tether.sync.ConfigurationException} on a
     * hub or when another plugin already installed one.
     */
    void useTransport(SyncTransport transport);

    /** On a replica: asks for a sync cycle soon (for plugins that learn of remote changes). No-op on a hub. */
    void requestSync();
}
