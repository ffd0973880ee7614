package io.tether.sync;

import io.tether.sync.spi.EngineProvider;

import java.util.ServiceLoader;

/**
 * Entry point: builders for a {@link ReplicaEngine} and a {@link HubEngine}. The engine itself lives in
 * {@code io.tether:sync-core} and is found with {@link ServiceLoader}.
 */
public final class Tether {
    private Tether() {
    }

    /** A builder for a replica engine. */
    public static ReplicaEngine.Builder replica() {
        return provider().replicaBuilder();
    }

    /** A builder for a hub engine. */
    public static HubEngine.Builder hub() {
        return provider().hubBuilder();
    }

    private static EngineProvider provider() {
        return ServiceLoader.load(EngineProvider.class, Tether.class.getClassLoader()).findFirst()
                .or(() -> ServiceLoader.load(EngineProvider.class).findFirst())
                .orElseThrow(() -> new ConfigurationException(
                        "No Tether engine on the class path. Add io.tether:sync-core."));
    }
}
