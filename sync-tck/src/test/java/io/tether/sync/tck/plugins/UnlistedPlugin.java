package io.tether.sync.tck.plugins;

import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.SyncPlugin;

/** Deliberately broken: correct in every way but missing from META-INF/services, so nobody can find it. */
public final class UnlistedPlugin implements SyncPlugin {
    @Override
    public String name() {
        return "unlisted";
    }

    @Override
    public void start(PluginContext context) {
    }

    @Override
    public void stop() {
    }
}
