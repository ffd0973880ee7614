package io.tether.sync.core.internal;

import com.google.auto.service.AutoService;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.spi.EngineProvider;

/** Hands {@link io.tether.sync.Tether} the engine builders of sync-core. */
@AutoService(EngineProvider.class)
public final class CoreEngineProvider implements EngineProvider {
    @Override
    public ReplicaEngine.Builder replicaBuilder() {
        return new ReplicaBuilder();
    }

    @Override
    public HubEngine.Builder hubBuilder() {
        return new HubBuilder();
    }
}
