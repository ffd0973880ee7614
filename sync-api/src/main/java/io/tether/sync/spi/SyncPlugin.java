package io.tether.sync.spi;

import java.util.Set;

/**
 * A Tether plugin, found with {@link java.util.ServiceLoader} (register it with
 * {@code @AutoService(SyncPlugin.class)}) and enabled by name on an engine builder or by the property
 * {@code tether.plugins}. Configured by the properties under {@code tether.<name>.}.
 *
 * <p>The engine calls {@link #start} once when it starts and {@link #stop} when it closes. {@code stop} must be
 * idempotent and leave no thread running. A plugin instance serves one engine.
 */
public interface SyncPlugin {
    /** The short name used to enable and configure it, such as {@code rest}: {@code [a-z][a-z0-9-]*}. */
    String name();

    /** The roles this plugin works in. Default: both. */
    default Set<Role> roles() {
        return Set.of(Role.REPLICA, Role.HUB);
    }

    /** Starts the plugin. Throw {@link io.tether.sync.ConfigurationException} for bad configuration. */
    void start(PluginContext context);

    /** Stops the plugin. Idempotent. */
    void stop();
}
