package io.tether.samples;

import io.tether.sync.spi.SyncPlugin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Which transport plugins the samples enable: {@code rest} always; {@code websocket} (live delivery on the same
 * port) whenever plugin-websocket is on the class path.
 */
final class Transports {
    static final String WEBSOCKET = "websocket";

    private Transports() {
    }

    /** Whether a plugin of this name can be found with {@link ServiceLoader}. */
    static boolean available(String plugin) {
        for (SyncPlugin p : ServiceLoader.load(SyncPlugin.class, Transports.class.getClassLoader())) {
            if (p.name().equals(plugin)) {
                return true;
            }
        }
        return false;
    }

    static boolean live() {
        return available(WEBSOCKET);
    }

    /** The plugin a replica uses to reach the hub: {@code websocket} (which falls back to HTTP) or {@code rest}. */
    static String replicaPlugin() {
        return live() ? WEBSOCKET : "rest";
    }

    /** The replica properties that point {@link #replicaPlugin()} at the hub with a bearer token. */
    static Map<String, String> replicaProperties(String hubUrl, String token) {
        String prefix = "tether." + replicaPlugin() + ".";
        Map<String, String> p = new LinkedHashMap<>();
        p.put(prefix + "url", hubUrl);
        p.put(prefix + "token", token);
        p.put(prefix + "connect-timeout", "5s");
        p.put(prefix + "request-timeout", "20s");
        return p;
    }
}
