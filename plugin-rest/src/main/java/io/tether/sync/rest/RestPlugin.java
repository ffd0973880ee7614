package io.tether.sync.rest;

import com.google.auto.service.AutoService;
import io.tether.sync.ConfigurationException;
import io.tether.sync.Subscription;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.PluginConfig;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.SyncPlugin;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code rest} plugin: protocol v1 over HTTP.
 *
 * <p>On a hub it serves the engine's {@link HubService} with a {@link TetherServer}:
 * <ul>
 *   <li>{@code tether.rest.port} (default 8080; 0 picks a free port), {@code tether.rest.host} (default all);</li>
 *   <li>{@code tether.rest.tls.keystore}, {@code tether.rest.tls.keystore-password},
 *       {@code tether.rest.tls.keystore-type} (default PKCS12): HTTPS when a keystore is named.</li>
 * </ul>
 * <p>On a replica it installs a {@link RestTransport}:
 * <ul>
 *   <li>{@code tether.rest.url} (required): the hub's base URL;</li>
 *   <li>{@code tether.rest.token}: a fixed bearer token, or {@code tether.rest.token-supplier}: the class name of a
 *       {@code java.util.function.Supplier<String>} with a public no-argument constructor, asked for a token per
 *       request and again after a 401;</li>
 *   <li>{@code tether.rest.connect-timeout} (default 10s), {@code tether.rest.request-timeout} (default 30s),
 *       {@code tether.rest.max-attempts} (default 4), {@code tether.rest.gzip} (default true),
 *       {@code tether.rest.max-response-mib} (default 256: a larger response body fails the request),
 *       {@code tether.rest.schema-version} (default: the replica's schema version when it has collections),
 *       {@code tether.rest.poll-interval} (default off: an extra periodic sync request besides the engine's).</li>
 * </ul>
 * The other role's properties are allowed (one file can configure both sides) but their values are checked too;
 * unknown {@code tether.rest.*} properties and malformed values fail the start with a
 * {@link ConfigurationException} naming the property. {@link #stop} is idempotent and ends the server's and the
 * client's threads.
 */
@AutoService(SyncPlugin.class)
public final class RestPlugin implements SyncPlugin {
    public static final String NAME = "rest";
    private static final Set<String> HUB_KEYS = Set.of("port", "host", "tls.keystore", "tls.keystore-password",
            "tls.keystore-type");
    private static final Set<String> REPLICA_KEYS = Set.of("url", "token", "token-supplier", "connect-timeout",
            "request-timeout", "max-attempts", "gzip", "schema-version", "poll-interval", "max-response-mib");

    /** Servers of running hubs, and actions waiting for a hub's server (see {@link #whenServing}). */
    private static final Map<HubService, TetherServer> SERVERS = new IdentityHashMap<>();
    private static final Map<HubService, List<Consumer<TetherServer>>> WAITING = new IdentityHashMap<>();

    private TetherServer server;
    private HubService served;
    private RestTransport transport;
    private ScheduledFuture<?> poller;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.HUB, Role.REPLICA);
    }

    @Override
    public synchronized void start(PluginContext context) {
        PluginConfig config = context.config();
        validate(config);
        if (context.role() == Role.HUB) {
            config.checkKnown(HUB_KEYS, REPLICA_KEYS, "hub");
            HubService hub = context.hub().orElseThrow(() -> new ConfigurationException(
                    "The rest plugin runs on a hub but the engine offered no HubService."));
            TetherServer built = hubServer(config, hub, context);
            List<Consumer<TetherServer>> actions;
            synchronized (SERVERS) {
                SERVERS.put(hub, built);
                actions = WAITING.remove(hub);
            }
            served = hub;
            try {
                if (actions != null) {
                    actions.forEach(action -> action.accept(built));
                }
                server = built.start();
            } catch (RuntimeException e) {
                synchronized (SERVERS) {
                    SERVERS.remove(hub);
                }
                served = null;
                throw e;
            }
        } else {
            config.checkKnown(REPLICA_KEYS, HUB_KEYS, "replica");
            transport = replicaTransport(config, context);
            context.useTransport(transport);
            Duration interval = pollInterval(config);
            if (!interval.isZero()) {
                poller = context.scheduler().scheduleAtFixedRate(context::requestSync, interval.toMillis(),
                        interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The running server on a hub (for its port), or null. */
    public synchronized TetherServer server() {
        return server;
    }

    /** The installed transport on a replica, or null. */
    public synchronized RestTransport transport() {
        return transport;
    }

    @Override
    public synchronized void stop() {
        if (poller != null) {
            poller.cancel(false);
            poller = null;
        }
        if (served != null) {
            synchronized (SERVERS) {
                SERVERS.remove(served);
            }
            served = null;
        }
        if (server != null) {
            server.stop();
            server = null;
        }
        if (transport != null) {
            transport.close();
            transport = null;
        }
    }

    /**
     * Runs {@code action} with the server the rest plugin serves {@code hub} with: now when it exists, else when
     * the plugin creates it (before it starts). Lets other plugins of the same hub engine, started in any order,
     * add to the one server (the websocket plugin mounts its endpoint with {@link TetherServer#extend}). The
     * returned subscription drops a waiting action.
     */
    public static Subscription whenServing(HubService hub, Consumer<TetherServer> action) {
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(action, "action");
        TetherServer existing;
        synchronized (SERVERS) {
            existing = SERVERS.get(hub);
            if (existing == null) {
                WAITING.computeIfAbsent(hub, h -> new ArrayList<>()).add(action);
                return () -> {
                    synchronized (SERVERS) {
                        List<Consumer<TetherServer>> list = WAITING.get(hub);
                        if (list != null) {
                            list.remove(action);
                            if (list.isEmpty()) {
                                WAITING.remove(hub);
                            }
                        }
                    }
                };
            }
        }
        action.accept(existing);
        return () -> {
        };
    }

    static TetherServer hubServer(PluginConfig config, HubService hub, PluginContext context) {
        int port = port(config);
        TetherServer.Builder builder = TetherServer.builder().hub(hub).codec(context.codec()).port(port)
                .host(config.string("host", "0.0.0.0"));
        config.get("tls.keystore").ifPresent(keystore -> {
            try {
                builder.tls(Path.of(keystore), config.string("tls.keystore-password", ""),
                        config.string("tls.keystore-type", "PKCS12"));
            } catch (ConfigurationException e) {
                throw new ConfigurationException(config.fullName("tls.keystore") + ": " + e.getMessage(), e);
            }
        });
        return builder.build();
    }

    static RestTransport replicaTransport(PluginConfig config, PluginContext context) {
        RestTransport.Builder builder = transportBuilder(config, config.require("url"));
        if (config.get("token").isPresent() && config.get("token-supplier").isPresent()) {
            throw new ConfigurationException("Set either " + config.fullName("token") + " or "
                    + config.fullName("token-supplier") + ", not both.");
        }
        config.get("token").ifPresent(builder::token);
        config.instance("token-supplier", Supplier.class).ifPresent(supplier -> builder.tokenSupplier(tokens(supplier)));
        builder.connectTimeout(config.positiveDuration("connect-timeout", Duration.ofSeconds(10)));
        builder.requestTimeout(config.positiveDuration("request-timeout", Duration.ofSeconds(30)));
        builder.maxAttempts(maxAttempts(config)).gzip(config.flag("gzip", true)).codec(context.codec())
                .maxResponseBytes(maxResponseMib(config) * 1024L * 1024);
        Integer schemaVersion = schemaVersion(config);
        if (schemaVersion == null && context.schema() != null && !context.schema().collections().isEmpty()) {
            schemaVersion = context.schema().version();
        }
        return builder.schemaVersion(schemaVersion).build();
    }

    /**
     * Checks the syntax of every property that is set, in either role: a malformed value is an error wherever
     * it is read, so a file shared by hub and replicas fails fast on both.
     */
    static void validate(PluginConfig config) {
        port(config);
        config.get("url").ifPresent(url -> transportBuilder(config, url));
        config.positiveDuration("connect-timeout", Duration.ofSeconds(10));
        config.positiveDuration("request-timeout", Duration.ofSeconds(30));
        maxAttempts(config);
        maxResponseMib(config);
        config.flag("gzip", true);
        schemaVersion(config);
        pollInterval(config);
    }

    private static int port(PluginConfig config) {
        int port = config.integer("port", 8080);
        if (port < 0 || port > 65535) {
            throw new ConfigurationException(config.fullName("port") + " must be a port number 0..65535, was "
                    + port + ".");
        }
        return port;
    }

    private static RestTransport.Builder transportBuilder(PluginConfig config, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(config.fullName("url") + " is not a URL: '" + url + "'.", e);
        }
        try {
            return RestTransport.builder(uri);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(config.fullName("url") + ": " + e.getMessage(), e);
        }
    }

    private static int maxAttempts(PluginConfig config) {
        int attempts = config.integer("max-attempts", 4);
        if (attempts < 1 || attempts > 20) {
            throw new ConfigurationException(config.fullName("max-attempts") + " must be 1..20, was " + attempts + ".");
        }
        return attempts;
    }

    private static int maxResponseMib(PluginConfig config) {
        int mib = config.integer("max-response-mib", 256);
        if (mib < 1 || mib > 1 << 20) {
            throw new ConfigurationException(config.fullName("max-response-mib") + " must be 1..1048576, was " + mib
                    + ".");
        }
        return mib;
    }

    private static Integer schemaVersion(PluginConfig config) {
        if (config.get("schema-version").isEmpty()) {
            return null;
        }
        int version = config.integer("schema-version", 0);
        if (version < 1) {
            throw new ConfigurationException(config.fullName("schema-version") + " must be a positive integer, was "
                    + version + ".");
        }
        return version;
    }

    private static Duration pollInterval(PluginConfig config) {
        Duration interval = config.duration("poll-interval", Duration.ZERO);
        if (interval.isNegative()) {
            throw new ConfigurationException(config.fullName("poll-interval") + " must not be negative, was "
                    + interval + ".");
        }
        return interval;
    }


    /** A configured {@code Supplier} as a token supplier (its values are checked to be strings when used). */
    private static Supplier<String> tokens(Supplier<?> supplier) {
        return () -> {
            Object token = supplier.get();
            if (token != null && !(token instanceof String)) {
                throw new ConfigurationException("the token supplier " + supplier.getClass().getName()
                        + " returned a " + token.getClass().getName() + ", not a String");
            }
            return (String) token;
        };
    }
}
