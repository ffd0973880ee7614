package io.tether.sync.websocket;

import io.tether.sync.HubEngine;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.spi.SyncTransport;

import java.net.URI;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;

/** Serves the hubs a TCK kit builds over REST and the live socket on 127.0.0.1, one server per hub engine. */
final class KitServers {
    private record Served(LiveHub live, TetherServer server) {
    }

    private final Map<HubEngine, Served> servers = new IdentityHashMap<>();

    /** A {@link WebSocketTransport} to {@code hub}, serving it first if needed; servers of other hubs stop. */
    synchronized SyncTransport transport(HubEngine hub, String token) {
        Served served = servers.get(hub);
        if (served == null) {
            stopAll();
            LiveHub live = LiveHub.builder(hub.service()).build().start();
            TetherServer server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0)
                    .customize(live::mount).build().start();
            served = new Served(live, server);
            servers.put(hub, served);
        }
        URI base = served.server.uri();
        RestTransport rest = RestTransport.builder(base).token(token).requestTimeout(Duration.ofSeconds(10))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100)).build();
        return WebSocketTransport.builder(URI.create("ws://127.0.0.1:" + served.server.port() + LiveHub.PATH), rest)
                .token(token).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
    }

    synchronized void stopAll() {
        servers.values().forEach(s -> {
            s.server.stop();
            s.live.close();
        });
        servers.clear();
    }
}
