package io.tether.bench.ws;

import io.tether.sync.HubEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Schema;
import io.tether.sync.websocket.LiveHub;
import io.tether.sync.websocket.WebSocketTransport;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A hub on a memory store with REST and the live socket on one ephemeral port of 127.0.0.1. */
final class BenchHub implements AutoCloseable {
    static final String SECRET = "bench-secret-0123456789abcdef0123456789";
    static final CollectionSchema NOTES = CollectionSchema.builder("notes")
            .field("text", FieldType.STRING, false)
            .field("n", FieldType.INTEGER, false)
            .build();
    static final Schema SCHEMA = new Schema(1, List.of(NOTES));
    static final JwtIssuer TOKENS = new JwtIssuer(SECRET);

    final MemoryHubStore store = MemoryStore.hub();
    final HubEngine hub;
    final LiveHub live;
    final TetherServer server;

    BenchHub() {
        hub = Tether.hub().store(store).schemaVersion(1).collection(NOTES)
                .authenticator(JwtAuthenticator.hs256(SECRET).build()).build().start();
        live = LiveHub.builder(hub.service()).build().start();
        server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).customize(live::mount)
                .build().start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    URI socket() {
        return URI.create("ws://127.0.0.1:" + server.port() + LiveHub.PATH);
    }

    static String token(String user) {
        return TOKENS.issue(user, Duration.ofHours(2));
    }

    WebSocketTransport transport(String user, Supplier<String> clientId) {
        RestTransport rest = RestTransport.builder(base()).token(token(user)).schemaVersion(1).build();
        return WebSocketTransport.builder(socket(), rest).token(token(user)).schemaVersion(1).clientId(clientId)
                .build();
    }

    static Map<String, Object> note(String id, int n) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("text", "note " + id);
        m.put("n", n);
        return m;
    }

    @Override
    public void close() {
        server.stop();
        live.close();
        hub.close();
    }
}
