package io.tether.sync.rest;

import io.tether.sync.HubEngine;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@link TetherServer} per hub engine for the TCK adoptions: a kit that restarts its hub gets a new server,
 * and the server of the closed hub is stopped then. {@link #stopAll()} ends the rest.
 */
final class RestServers {
    private final Map<HubEngine, TetherServer> servers = new IdentityHashMap<>();

    synchronized TetherServer serving(HubEngine hub) {
        TetherServer server = servers.get(hub);
        if (server == null) {
            stopAll(); // a new hub engine means the kit closed the previous one
            server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).build().start();
            servers.put(hub, server);
        }
        return server;
    }

    synchronized void stopAll() {
        servers.values().forEach(TetherServer::stop);
        servers.clear();
    }
}
