package io.tether.sync.core.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.spi.PluginConfig;

import java.time.Duration;
import java.util.Map;

/**
 * Engine-level properties ({@code tether.<key>}): a value set on the builder wins over the property, which wins
 * over the default. Values are parsed like plugin properties ({@link PluginConfig}).
 */
record EngineSettings(Map<String, String> properties) {

    Duration duration(Duration set, String key, Duration defaultValue) {
        Duration d = set != null ? set : parse(key, c -> c.duration("v", defaultValue), defaultValue);
        if (d.isNegative()) {
            throw new ConfigurationException("tether." + key + " must not be negative, was " + d);
        }
        return d;
    }

    int integer(Integer set, String key, int defaultValue, int max) {
        int n = set != null ? set : parse(key, c -> c.integer("v", defaultValue), defaultValue);
        if (n < 1 || n > max) {
            throw new ConfigurationException("tether." + key + " must be between 1 and " + max + ", was " + n);
        }
        return n;
    }

    String string(String key, String defaultValue) {
        String v = properties.get("tether." + key);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    private <T> T parse(String key, java.util.function.Function<PluginConfig, T> read, T defaultValue) {
        String raw = properties.get("tether." + key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            return read.apply(new PluginConfig("engine", Map.of("v", raw)));
        } catch (ConfigurationException e) {
            throw new ConfigurationException(e.getMessage().replace("tether.engine.v", "tether." + key));
        }
    }
}
