package io.tether.sync;

import io.tether.sync.spi.Authenticator;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.PersistenceHook;
import io.tether.sync.spi.ScopePolicy;

import java.time.Duration;
import java.util.Map;

/**
 * The authoritative node: it accepts pushes and serves pulls (PROTOCOL.md sections 3 to 5) over its store.
 * Transports reach it through {@link #service()}. Thread-safe.
 *
 * <pre>{@code
 * HubEngine hub = Tether.hub()
 *         .store(store)
 *         .collection(CollectionSchema.builder("tasks").scopeField("owner_id")
 *                 .field("title", FieldType.STRING, false).build())
 *         .conflictPolicy("tasks", ConflictPolicy.LAST_WRITER_WINS)
 *         .build()
 *         .start();
 * }</pre>
 */
public interface HubEngine extends AutoCloseable {

    /** Starts plugins (for example the REST server). Returns this hub. Calling it twice is harmless. */
    HubEngine start();

    /** The protocol logic, for transports. */
    HubService service();

    /** Reads the hub's store. */
    RecordQuery records();

    /** Receives every committed batch on the hub: pushes (origin LOCAL) and the application's own writes. */
    Subscription onChange(ChangeListener listener);

    /** Compacts the change log now by the configured retention; returns the new retention horizon version. */
    long compact();

    /** Stops plugins. Idempotent. */
    @Override
    void close();

    /** Configures a hub. Every setter returns this builder; {@code null} means "use the default". */
    interface Builder {
        /** The hub's store (required unless a plugin provides one). */
        Builder store(HubStore store);

        /** Adds a collection to the schema (the store may contribute collections too). */
        Builder collection(CollectionSchema collection);

        /** The schema version served and checked against {@code Tether-Schema-Version}. Default: 1. */
        Builder schemaVersion(int version);

        /** The policy for collections without their own. Default: {@link ConflictPolicy#FIELD_MERGE}. */
        Builder conflictPolicy(ConflictPolicy policy);

        /** The policy for one collection. */
        Builder conflictPolicy(String collection, ConflictPolicy policy);

        /** A custom resolver for one collection; it replaces the policy there. */
        Builder conflictResolver(String collection, ConflictResolver resolver);

        /** Who may read and write which scopes. Default: each principal owns the scope named after it. */
        Builder scopePolicy(ScopePolicy policy);

        /** Turns bearer tokens into principals (required unless a plugin provides one). */
        Builder authenticator(Authenticator authenticator);

        /** Request limits. Default: {@link HubLimits#DEFAULT}. */
        Builder limits(HubLimits limits);

        /** How long tombstones and superseded change-log entries are kept. Default: 30 days. */
        Builder retention(Duration retention);

        /** Adds a persistence hook that runs before pushed changes are stored. */
        Builder hook(PersistenceHook hook);

        /** Enables a plugin by name; it must be on the class path. */
        Builder plugin(String name);

        /** Sets a namespaced property such as {@code tether.rest.port}. */
        Builder property(String key, String value);

        /** Sets many properties; keys outside {@code tether.} are ignored. */
        Builder properties(Map<String, String> properties);

        /** The node id used in this hub's clock stamps. Default: random. */
        Builder nodeId(String nodeId);

        HubEngine build();
    }
}
