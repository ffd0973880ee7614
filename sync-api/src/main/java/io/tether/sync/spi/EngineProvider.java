package io.tether.sync.spi;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;

/** Implemented by sync-core and found with {@link java.util.ServiceLoader} by {@link io.tether.sync.Tether}. */
public interface EngineProvider {
    ReplicaEngine.Builder replicaBuilder();

    HubEngine.Builder hubBuilder();
}
