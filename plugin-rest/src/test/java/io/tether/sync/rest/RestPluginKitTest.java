package io.tether.sync.rest;

import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.SyncPlugin;
import io.tether.sync.tck.PluginFeatures;
import io.tether.sync.tck.PluginKit;

import java.util.Map;

/**
 * The {@code rest} plugin against the TCK's plugin kit. One property set serves both roles (each ignores the
 * other's keys). The JDK 17 {@code HttpClient} has no {@code close()}: its selector thread ends only once the
 * client is garbage-collected, so it is the one thread the kit is told to ignore (on Java 21+ the transport
 * closes it at once).
 */
class RestPluginKitTest extends PluginKit {
    @Override
    protected SyncPlugin createPlugin() {
        return new RestPlugin();
    }

    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected PluginFeatures features() {
        return PluginFeatures.defaults()
                .withConfiguration(Map.of("tether.rest.port", "0", "tether.rest.host", "127.0.0.1",
                        "tether.rest.url", "http://127.0.0.1:9", "tether.rest.token", "token-alice"))
                .withBadConfiguration(Map.of("tether.rest.port", "eighty",
                        "tether.rest.url", "not a url",
                        "tether.rest.connect-timeout", "forever",
                        "tether.rest.colour", "blue"))
                .ignoringThreads("HttpClient-\\d+-SelectorManager");
    }
}
