package io.tether.sync.core.internal;

import io.tether.sync.spi.PersistenceHook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What hub and replica builders share: plugins, properties and hooks. */
abstract class EngineBuilder<B extends EngineBuilder<B>> {
    final Set<String> plugins = new LinkedHashSet<>();
    final Map<String, String> properties = new LinkedHashMap<>();
    final List<PersistenceHook> hooks = new ArrayList<>();

    abstract B self();

    public B plugin(String name) {
        plugins.add(Objects.requireNonNull(name, "name"));
        return self();
    }

    public B property(String key, String value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            properties.remove(key);
        } else {
            properties.put(key, value);
        }
        return self();
    }

    public B properties(Map<String, String> all) {
        all.forEach((k, v) -> {
            if (k.startsWith("tether.")) {
                property(k, v);
            }
        });
        return self();
    }

    public B hook(PersistenceHook hook) {
        hooks.add(Objects.requireNonNull(hook, "hook"));
        return self();
    }
}
