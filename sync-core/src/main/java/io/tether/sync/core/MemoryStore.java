package io.tether.sync.core;

/**
 * The in-memory stores: thread-safe, complete, and the reference implementation the TCK holds other stores to.
 * Nothing survives the JVM, so they suit tests, demos and caches.
 *
 * <pre>{@code
 * MemoryHubStore hubStore = MemoryStore.hub();
 * MemoryReplicaStore deviceStore = MemoryStore.replica();
 * }</pre>
 */
public final class MemoryStore {
    private MemoryStore() {
    }

    /** A new, empty hub store. */
    public static MemoryHubStore hub() {
        return new MemoryHubStore();
    }

    /** A new, empty replica store with a fresh client id. */
    public static MemoryReplicaStore replica() {
        return new MemoryReplicaStore(java.util.UUID.randomUUID().toString());
    }
}
