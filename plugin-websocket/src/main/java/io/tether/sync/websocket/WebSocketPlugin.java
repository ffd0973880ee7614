package io.tether.sync.websocket;

import com.google.auto.service.AutoService;
import io.tether.sync.ConfigurationException;
import io.tether.sync.Subscription;
import io.tether.sync.rest.RestPlugin;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.PluginConfig;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.SyncPlugin;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The {@code websocket} plugin: protocol v1 over one socket (PROTOCOL.md section 7).
 *
 * <p>On a hub it serves {@value LiveHub#PATH} on the server of the {@code rest} plugin (same port; enable both,
 * in any order: {@code tether.plugins=rest,websocket}). Properties: {@code tether.websocket.ping-interval}
 * (default 15s), {@code ping-timeout} (45s), {@code hello-timeout} (10s), {@code stall-timeout} (60s),
 * {@code buffered} (committed entries kept for live sockets, 10000), {@code threads} (pump threads, default the
 * processors). The window is the hub's {@code liveWindow} limit (default 32).
 *
 * <p>On a replica it installs a {@link WebSocketTransport} (enable it instead of {@code rest}; it pulls and falls
 * back over HTTP itself):
 * <ul>
 *   <li>{@code tether.websocket.url} (required): the hub's base URL ({@code http://host:8080}, from which both
 *       the REST base and {@code ws://host:8080/sync/v1/ws} are derived) or the socket URL itself
 *       ({@code ws://host:8080/sync/v1/ws});</li>
 *   <li>{@code token} or {@code token-supplier}, {@code connect-timeout}, {@code request-timeout},
 *       {@code max-attempts}, {@code gzip}, {@code schema-version}: as for {@code tether.rest.*};</li>
 *   <li>{@code ping-interval} (15s), {@code ping-timeout} (45s), {@code reconnect-initial} (500ms),
 *       {@code reconnect-max} (30s), {@code push-over-socket} (true).</li>
 * </ul>
 * Unknown {@code tether.websocket.*} properties fail the start. {@link #stop} is idempotent and ends every thread.
 */
@AutoService(SyncPlugin.class)
public final class WebSocketPlugin implements SyncPlugin {
    public static final String NAME = "websocket";
    private static final System.Logger LOG = System.getLogger(WebSocketPlugin.class.getName());
    private static final Set<String> HUB_KEYS = Set.of("ping-interval", "ping-timeout", "hello-timeout",
            "stall-timeout", "buffered", "threads");
    private static final Set<String> REPLICA_KEYS = Set.of("url", "token", "token-supplier", "connect-timeout",
            "request-timeout", "max-attempts", "gzip", "schema-version", "ping-interval", "ping-timeout",
            "reconnect-initial", "reconnect-max", "push-over-socket", "max-message-mib");

    private LiveHub live;
    private Subscription mounting;
    private WebSocketTransport transport;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void start(PluginContext context) {
        PluginConfig config = context.config();
        checkSyntax(config);
        if (context.role() == Role.HUB) {
            config.checkKnown(HUB_KEYS, REPLICA_KEYS, "hub");
            HubService hub = context.hub().orElseThrow(() -> new ConfigurationException(
                    "The websocket plugin runs on a hub but the engine offered no HubService."));
            live = LiveHub.builder(hub).codec(context.codec())
                    .pingInterval(config.positiveDuration("ping-interval", Duration.ofSeconds(15)))
                    .pingTimeout(config.positiveDuration("ping-timeout", Duration.ofSeconds(45)))
                    .helloTimeout(config.positiveDuration("hello-timeout", Duration.ofSeconds(10)))
                    .stallTimeout(config.positiveDuration("stall-timeout", Duration.ofSeconds(60)))
                    .buffered(atLeastOne(config, "buffered", 10_000))
                    .threads(atLeastOne(config, "threads", Math.max(2, Runtime.getRuntime().availableProcessors())))
                    .build().start();
            LiveHub mounted = live;
            java.util.concurrent.atomic.AtomicBoolean served = new java.util.concurrent.atomic.AtomicBoolean();
            mounting = RestPlugin.whenServing(hub, server -> {
                server.extend(mounted::mount);
                served.set(true);
            });
            context.scheduler().schedule(() -> {
                if (!served.get() && !closed(mounted)) {
                    LOG.log(System.Logger.Level.WARNING, "The websocket plugin has no server to serve "
                            + LiveHub.PATH + " on: enable the rest plugin too (tether.plugins=rest,websocket), or mount"
                            + " LiveHub.endpointConfig() in your own Jakarta WebSocket container.");
                }
            }, 5, java.util.concurrent.TimeUnit.SECONDS);
        } else {
            config.checkKnown(REPLICA_KEYS, HUB_KEYS, "replica");
            transport = replicaTransport(config, context);
            context.useTransport(transport);
        }
    }

    private synchronized boolean closed(LiveHub hub) {
        return live != hub;
    }

    /** The live sockets on a hub, or null. */
    public synchronized LiveHub live() {
        return live;
    }

    /** The installed transport on a replica, or null. */
    public synchronized WebSocketTransport transport() {
        return transport;
    }

    @Override
    public synchronized void stop() {
        if (mounting != null) {
            mounting.close();
            mounting = null;
        }
        if (live != null) {
            live.close();
            live = null;
        }
        if (transport != null) {
            transport.close();
            transport = null;
        }
    }

    static WebSocketTransport replicaTransport(PluginConfig config, PluginContext context) {
        String url = config.require("url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(config.fullName("url") + " is not a URL: '" + url + "'.", e);
        }
        URI[] endpoints = endpoints(config, uri);
        RestTransport.Builder rest = RestTransport.builder(endpoints[0]);
        if (config.get("token").isPresent() && config.get("token-supplier").isPresent()) {
            throw new ConfigurationException("Set either " + config.fullName("token") + " or "
                    + config.fullName("token-supplier") + ", not both.");
        }
        Supplier<String> token = config.get("token").<Supplier<String>>map(t -> () -> t)
                .or(() -> config.instance("token-supplier", Supplier.class).map(WebSocketPlugin::tokens))
                .orElse(() -> null);
        rest.tokenSupplier(token);
        Duration connect = config.positiveDuration("connect-timeout", Duration.ofSeconds(10));
        Duration request = config.positiveDuration("request-timeout", Duration.ofSeconds(30));
        rest.connectTimeout(connect).requestTimeout(request);
        int attempts = config.integer("max-attempts", 4);
        if (attempts < 1 || attempts > 20) {
            throw new ConfigurationException(config.fullName("max-attempts") + " must be 1..20, was " + attempts + ".");
        }
        Integer schemaVersion = null;
        if (config.get("schema-version").isPresent()) {
            schemaVersion = config.integer("schema-version", 0);
            if (schemaVersion < 1) {
                throw new ConfigurationException(config.fullName("schema-version") + " must be a positive integer, was "
                        + schemaVersion + ".");
            }
        } else if (context.schema() != null && !context.schema().collections().isEmpty()) {
            schemaVersion = context.schema().version();
        }
        long maxMessage = atLeastOne(config, "max-message-mib", 256) * 1024L * 1024;
        rest.maxAttempts(attempts).gzip(config.flag("gzip", true)).codec(context.codec()).schemaVersion(schemaVersion)
                .maxResponseBytes(maxMessage);
        Duration reconnectInitial = config.positiveDuration("reconnect-initial", Duration.ofMillis(500));
        Duration reconnectMax = config.positiveDuration("reconnect-max", Duration.ofSeconds(30));
        if (reconnectMax.compareTo(reconnectInitial) < 0) {
            throw new ConfigurationException(config.fullName("reconnect-max") + " must not be below "
                    + config.fullName("reconnect-initial") + ".");
        }
        Supplier<String> clientId = context.records() instanceof ReplicaStore store ? store::clientId : () -> null;
        return WebSocketTransport.builder(endpoints[1], rest.build())
                .codec(context.codec())
                .tokenSupplier(token)
                .clientId(clientId)
                .schemaVersion(schemaVersion)
                .connectTimeout(connect)
                .pushTimeout(request)
                .pingInterval(config.positiveDuration("ping-interval", Duration.ofSeconds(15)))
                .pingTimeout(config.positiveDuration("ping-timeout", Duration.ofSeconds(45)))
                .reconnectBackoff(reconnectInitial, reconnectMax)
                .pushOverSocket(config.flag("push-over-socket", true))
                .maxMessageChars(maxMessage)
                .onDisconnect(context::requestSync)
                .build();
    }

    /** The REST base and the socket URL for a configured URL. */
    static URI[] endpoints(PluginConfig config, URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean secure;
        switch (scheme) {
            case "http", "ws" -> secure = false;
            case "https", "wss" -> secure = true;
            default -> throw new ConfigurationException(config.fullName("url") + " must be an http, https, ws or wss"
                    + " URL, was '" + uri + "'.");
        }
        if (uri.getHost() == null) {
            throw new ConfigurationException(config.fullName("url") + " has no host: '" + uri + "'.");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.endsWith(LiveHub.PATH)) {
            path = path.substring(0, path.length() - LiveHub.PATH.length());
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String authority = uri.getRawAuthority();
        URI rest = URI.create((secure ? "https" : "http") + "://" + authority + path);
        URI socket = URI.create((secure ? "wss" : "ws") + "://" + authority + path + LiveHub.PATH);
        return new URI[]{rest, socket};
    }

    private static int atLeastOne(PluginConfig config, String key, int defaultValue) {
        int n = config.integer(key, defaultValue);
        if (n < 1) {
            throw new ConfigurationException(config.fullName(key) + " must be at least 1, was " + n + ".");
        }
        return n;
    }

    /** Checks the syntax of every property that is set, whichever role reads it, so one file serves both. */
    private static void checkSyntax(PluginConfig config) {
        for (String key : config.properties().keySet()) {
            switch (key) {
                case "ping-interval", "ping-timeout", "hello-timeout", "stall-timeout", "connect-timeout",
                        "request-timeout", "reconnect-initial", "reconnect-max" -> config.positiveDuration(key, Duration.ofSeconds(1));
                case "buffered", "threads", "max-message-mib" -> atLeastOne(config, key, 1);
                case "max-attempts", "schema-version" -> config.integer(key, 1);
                case "gzip", "push-over-socket" -> config.flag(key, true);
                case "url" -> {
                    if (config.get(key).isPresent()) {
                        try {
                            endpoints(config, new URI(config.require(key)));
                        } catch (URISyntaxException e) {
                            throw new ConfigurationException(config.fullName("url") + " is not a URL: '"
                                    + config.require(key) + "'.", e);
                        }
                    }
                }
                default -> {
                    // token, token-supplier: free text; unknown keys fail in checkKnown
                }
            }
        }
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
