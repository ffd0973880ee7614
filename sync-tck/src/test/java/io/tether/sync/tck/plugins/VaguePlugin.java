package io.tether.sync.tck.plugins;

import io.tether.sync.ConfigurationException;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.SyncPlugin;

/** Deliberately broken: refuses a bad {@code tether.vague.mode} without saying which property is wrong. */
public final class VaguePlugin implements SyncPlugin {
    @Override
    public String name() {
        return "vague";
    }

    @Override
    public void start(PluginContext context) {
        String mode = context.config().string("mode", "fast");
        if (!mode.equals("fast") && !mode.equals("slow")) {
            throw new ConfigurationException("invalid configuration");
        }
    }

    @Override
    public void stop() {
    }
}
