package io.tether.sync.core.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.SyncPlugin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Finds the enabled plugins on the class path and checks the engine's properties against them. */
public final class Plugins {
    private static final System.Logger LOG = System.getLogger(Plugins.class.getName());

    private Plugins() {
    }

    /** The single-threaded daemon scheduler an engine runs its work on and shares with its plugins. */
    public static ScheduledThreadPoolExecutor scheduler(String threadName) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemon(threadName));
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    /** One daemon thread for work handed over from an engine's cycle; it ends when idle and is made again on demand. */
    public static ExecutorService worker(String threadName) {
        ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon(threadName));
        worker.allowCoreThreadTimeOut(true);
        return worker;
    }

    private static ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Starts plugins in order with the context {@code contextFor} makes for each; when one fails, the ones already
     * started are stopped again and the failure propagates.
     */
    public static void startAll(List<SyncPlugin> plugins, java.util.function.Function<SyncPlugin, PluginContext> contextFor) {
        for (int i = 0; i < plugins.size(); i++) {
            try {
                plugins.get(i).start(contextFor.apply(plugins.get(i)));
            } catch (RuntimeException e) {
                stopAll(plugins.subList(0, i + 1));
                throw e;
            }
        }
    }

    /** Stops plugins in reverse start order; a failing plugin is logged and does not keep the others running. */
    public static void stopAll(List<SyncPlugin> plugins) {
        for (int i = plugins.size() - 1; i >= 0; i--) {
            SyncPlugin plugin = plugins.get(i);
            try {
                plugin.stop();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "plugin " + plugin.name() + " failed to stop", e);
            }
        }
    }

    /**
     * The enabled plugins: those named on the builder plus those in {@code tether.plugins}. Fails with a
     * {@link ConfigurationException} for a plugin that is not on the class path or not for this role, and for a
     * property no engine setting or enabled plugin owns.
     */
    public static List<SyncPlugin> resolve(Set<String> requested, Map<String, String> properties, Role role,
                                           Set<String> engineKeys) {
        Map<String, SyncPlugin> available = new TreeMap<>();
        for (ServiceLoader.Provider<SyncPlugin> p : ServiceLoader.load(SyncPlugin.class,
                Plugins.class.getClassLoader()).stream().toList()) {
            SyncPlugin plugin = p.get();
            available.putIfAbsent(plugin.name(), plugin);
        }
        Set<String> names = new LinkedHashSet<>(requested);
        String listed = properties.get("tether.plugins");
        if (listed != null) {
            Arrays.stream(listed.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        }
        List<SyncPlugin> enabled = new ArrayList<>();
        for (String name : names) {
            SyncPlugin plugin = available.get(name);
            if (plugin == null) {
                throw new ConfigurationException("No sync plugin '" + name + "' on the class path. Found: "
                        + (available.isEmpty() ? "none" : String.join(", ", available.keySet()))
                        + ". Add io.tether:plugin-" + name + ".");
            }
            if (!plugin.roles().contains(role)) {
                throw new ConfigurationException("Sync plugin '" + name + "' does not work on a "
                        + role.name().toLowerCase() + "; it supports " + plugin.roles().stream()
                        .map(r -> r.name().toLowerCase()).collect(Collectors.joining(", ")) + ".");
            }
            enabled.add(plugin);
        }
        Set<String> enabledNames = enabled.stream().map(SyncPlugin::name).collect(Collectors.toSet());
        for (String key : properties.keySet()) {
            if (!key.startsWith("tether.") || key.equals("tether.plugins")) {
                continue;
            }
            String rest = key.substring("tether.".length());
            String head = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
            if (engineKeys.contains(rest) || engineKeys.contains(head + ".*") || enabledNames.contains(head)) {
                continue;
            }
            if (available.containsKey(head)) {
                throw new ConfigurationException("Property " + key + " is set but plugin '" + head
                        + "' is not enabled. Enable it with plugin(\"" + head + "\") or tether.plugins=" + head + ".");
            }
            throw new ConfigurationException("Unknown property " + key + ". Engine properties: "
                    + engineKeys.stream().sorted().map(k -> "tether." + k).collect(Collectors.joining(", "))
                    + "; plugin properties start with tether.<plugin>.");
        }
        return enabled;
    }
}
