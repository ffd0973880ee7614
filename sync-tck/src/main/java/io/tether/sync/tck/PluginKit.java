package io.tether.sync.tck;

import io.tether.sync.ConfigurationException;
import io.tether.sync.HubEngine;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.SyncPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What every {@link SyncPlugin} must do: be discoverable, be named well, refuse bad configuration clearly, start
 * and stop idempotently in each role it declares, and leave no thread behind. Adopt it with:
 *
 * <pre>{@code
 * class MyPluginTest extends PluginKit {
 *     @Override protected SyncPlugin createPlugin() { return new MyPlugin(); }
 *     @Override protected PluginFeatures features() {
 *         return PluginFeatures.defaults().withBadConfiguration(Map.of("tether.my.interval", "soon"));
 *     }
 * }
 * }</pre>
 *
 * Rules are named {@code [plugin-N]}.
 */
public abstract class PluginKit {
    private static final String SERVICE_FILE = "META-INF/services/" + SyncPlugin.class.getName();
    private final List<TckPluginContext> contexts = new ArrayList<>();
    private final List<HubEngine> hubs = new ArrayList<>();

    /** A new instance of the plugin under test. */
    protected abstract SyncPlugin createPlugin();

    /** Configuration and optional rules. Default: no properties. */
    protected PluginFeatures features() {
        return PluginFeatures.defaults();
    }

    /** A hub store for hub-role plugins that need a real hub to start. Default: null, a hub refusing requests. */
    protected HubStore createHubStore() {
        return null;
    }

    @AfterEach
    void closeContexts() {
        contexts.forEach(TckPluginContext::close);
        hubs.forEach(HubEngine::close);
    }

    /** A context for {@code plugin} in {@code role} with the features' configuration plus {@code extra}. */
    protected TckPluginContext context(SyncPlugin plugin, Role role, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(features().configuration());
        properties.putAll(extra);
        HubStore store = role == Role.HUB ? createHubStore() : null;
        HubEngine hub = store == null ? null : TckHub.builder(store).build();
        if (hub != null) {
            hubs.add(hub);
        }
        TckPluginContext context = new TckPluginContext(role, plugin.name(), properties,
                hub == null ? null : hub.service());
        contexts.add(context);
        return context;
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    // ---- rules

    @Nested
    @DisplayName("discovery")
    class Discovery {

        @Test
        @DisplayName("[plugin-1] the plugin is found by ServiceLoader through its META-INF/services entry")
        void discoverable() throws IOException {
            String type = createPlugin().getClass().getName();
            List<String> listed = new ArrayList<>();
            ClassLoader loader = createPlugin().getClass().getClassLoader();
            Enumeration<URL> files = loader.getResources(SERVICE_FILE);
            while (files.hasMoreElements()) {
                URL file = files.nextElement();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(file.openStream(),
                        StandardCharsets.UTF_8))) {
                    in.lines().map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).forEach(listed::add);
                }
            }
            assertTrue(listed.contains(type), "no " + SERVICE_FILE + " entry names " + type + " (found " + listed
                    + "); register it with @AutoService(SyncPlugin.class) or add the file");
            assertTrue(ServiceLoader.load(SyncPlugin.class, loader).stream()
                            .anyMatch(p -> p.type().getName().equals(type)),
                    "ServiceLoader does not load " + type + " (it needs a public no-argument constructor)");
        }

        @Test
        @DisplayName("[plugin-2] the name is well formed, stable and unique among discovered plugins")
        void nameWellFormed() {
            SyncPlugin plugin = createPlugin();
            String name = plugin.name();
            assertTrue(name != null && name.matches("[a-z][a-z0-9-]*"), "name must match [a-z][a-z0-9-]*: " + name);
            assertTrue(name.equals(createPlugin().name()), "name must not change between instances");
            long same = ServiceLoader.load(SyncPlugin.class, plugin.getClass().getClassLoader()).stream()
                    .filter(p -> !p.type().equals(plugin.getClass()))
                    .map(p -> p.get().name()).filter(name::equals).count();
            assertTrue(same == 0, "another discovered plugin is also named '" + name + "'");
            assertFalse(plugin.roles().isEmpty(), "a plugin works in at least one role");
        }
    }

    @Nested
    @DisplayName("lifecycle")
    class Lifecycle {

        @Test
        @DisplayName("[plugin-3] starts and stops in every role it declares; stop is idempotent")
        void startStopIdempotent() {
            for (Role role : createPlugin().roles()) {
                SyncPlugin plugin = createPlugin();
                TckPluginContext context = context(plugin, role, Map.of());
                assertDoesNotThrow(() -> plugin.start(context), "start in role " + role);
                assertDoesNotThrow(plugin::stop, "stop in role " + role);
                assertDoesNotThrow(plugin::stop, "a second stop must do nothing (role " + role + ")");
            }
        }

        @Test
        @DisplayName("[plugin-4] stop without start does nothing")
        void stopWithoutStart() {
            assertDoesNotThrow(createPlugin()::stop, "the engine stops plugins whose start it never reached");
        }

        @Test
        @DisplayName("[plugin-5] no thread is left running after stop")
        void noThreadsLeftBehind() throws InterruptedException {
            for (Role role : createPlugin().roles()) {
                SyncPlugin plugin = createPlugin();
                TckPluginContext context = context(plugin, role, Map.of());
                Set<Thread> before = liveThreads();
                plugin.start(context);
                Thread.sleep(50);
                plugin.stop();
                context.close();
                List<String> left = List.of();
                long deadline = System.currentTimeMillis() + 2000;
                while (System.currentTimeMillis() < deadline) {
                    left = liveThreads().stream().filter(t -> !before.contains(t))
                            .map(Thread::getName)
                            .filter(n -> !features().ignoredThreads().matcher(n).matches())
                            .sorted().toList();
                    if (left.isEmpty()) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertTrue(left.isEmpty(), "threads still running 2 s after stop in role " + role + ": " + left);
            }
        }

        @Test
        @DisplayName("[plugin-6] bad configuration fails start with a ConfigurationException naming the property")
        void badConfigurationNamed() {
            Map<String, String> bad = features().badConfiguration();
            assumeFalse(bad.isEmpty(),
                    "no bad configuration declared: override features() with withBadConfiguration(...) to enable");
            Role role = createPlugin().roles().iterator().next();
            bad.forEach((property, value) -> {
                SyncPlugin plugin = createPlugin();
                TckPluginContext context = context(plugin, role, Map.of(property, value));
                ConfigurationException e = assertThrows(ConfigurationException.class, () -> plugin.start(context),
                        property + "=" + value + " must be refused at start");
                assertTrue(e.getMessage() != null && e.getMessage().contains(property),
                        "the message must name " + property + ": " + e.getMessage());
                plugin.stop();
            });
        }
    }
}
