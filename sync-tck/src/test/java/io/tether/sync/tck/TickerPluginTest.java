package io.tether.sync.tck;

import io.tether.sync.spi.SyncPlugin;
import io.tether.sync.tck.plugins.TickerPlugin;

import java.util.Map;

/** A custom plugin adopting the plugin kit: the how-to of sync-tck/README.md. */
class TickerPluginTest extends PluginKit {
    @Override
    protected SyncPlugin createPlugin() {
        return new TickerPlugin();
    }

    @Override
    protected PluginFeatures features() {
        return PluginFeatures.defaults().withBadConfiguration(Map.of("tether.ticker.interval", "soon"));
    }
}
