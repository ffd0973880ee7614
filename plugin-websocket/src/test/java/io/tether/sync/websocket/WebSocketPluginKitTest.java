package io.tether.sync.websocket;

import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.SyncPlugin;
import io.tether.sync.tck.PluginFeatures;
import io.tether.sync.tck.PluginKit;

import java.util.Map;

/**
 * The {@code websocket} plugin against the TCK's plugin kit. One property set serves both roles. The JDK 17
 * {@code HttpClient} has no {@code close()}: its selector thread ends only once the client is collected, so the kit
 * is told to ignore it.
 */
class WebSocketPluginKitTest extends PluginKit {
    @Override
    protected SyncPlugin createPlugin() {
        return new WebSocketPlugin();
    }

    @Override
    protected HubStore createHubStore() {
        return MemoryStore.hub();
    }

    @Override
    protected PluginFeatures features() {
        return PluginFeatures.defaults()
                .withConfiguration(Map.of("tether.websocket.url", "http://127.0.0.1:9",
                        "tether.websocket.token", "token-alice", "tether.websocket.ping-interval", "1s"))
                .withBadConfiguration(Map.of("tether.websocket.ping-interval", "soon",
                        "tether.websocket.url", "not a url",
                        "tether.websocket.buffered", "0",
                        "tether.websocket.colour", "blue"))
                .ignoringThreads("HttpClient-\\d+-SelectorManager");
    }
}
