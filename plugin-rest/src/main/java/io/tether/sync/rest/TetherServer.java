package io.tether.sync.rest;

import io.tether.sync.ConfigurationException;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.ProtocolCodec;
import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An embedded Jetty 12 server for a hub: serves {@link SyncServlet} on one port, plus any servlets or context
 * customizations added (the WebSocket plugin mounts {@code /sync/v1/ws} on the same context), with TLS when a
 * keystore is configured. Requests Jetty refuses itself are answered as problems too.
 *
 * <pre>{@code
 * try (TetherServer server = TetherServer.builder().hub(hub.service()).port(8080).build().start()) {
 *     server.join();
 * }
 * }</pre>
 *
 * {@link #start} and {@link #stop} are thread-safe; {@code stop} is idempotent and ends every server thread.
 */
public final class TetherServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TetherServer.class.getName());

    private final Builder config;
    private Server server;
    private ServerConnector connector;
    private ServletContextHandler context;

    private TetherServer(Builder config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts serving; returns this server. Starting a started server does nothing. */
    public synchronized TetherServer start() {
        if (server != null) {
            return this;
        }
        QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads, Math.min(4, config.maxThreads));
        threads.setName("tether-rest");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector c;
        if (config.keyStore != null) {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(config.keyStore.toAbsolutePath().toString());
            tls.setKeyStorePassword(config.keyStorePassword);
            tls.setKeyStoreType(config.keyStoreType);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            c = new ServerConnector(jetty, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            c = new ServerConnector(jetty, new HttpConnectionFactory(http));
        }
        c.setHost(config.host);
        c.setPort(config.port);
        c.setIdleTimeout(config.idleTimeoutMillis);
        jetty.addConnector(c);

        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("tether-sync", new SyncServlet(config.hub, config.codec)), "/*");
        config.servlets.forEach((path, servlet) -> context.addServlet(new ServletHolder(servlet), path));
        config.customizers.forEach(customizer -> customizer.accept(context));
        jetty.setHandler(context);
        jetty.setErrorHandler(new ProblemErrorHandler(config.codec));
        try {
            jetty.start();
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new ConfigurationException("The REST server could not start on " + config.host + ":" + config.port
                    + ": " + e.getMessage(), e);
        }
        server = jetty;
        connector = c;
        this.context = context;
        LOG.log(System.Logger.Level.INFO, "Tether hub serving " + uri());
        return this;
    }

    /** The port bound (the ephemeral one when configured with 0). Throws if not started. */
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("the REST server is not started");
        }
        return connector.getLocalPort();
    }

    /** The base URI clients use, such as {@code http://127.0.0.1:8080}. Throws if not started. */
    public synchronized URI uri() {
        String host = config.host == null || config.host.equals("0.0.0.0") ? "localhost" : config.host;
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create((config.keyStore != null ? "https" : "http") + "://" + host + ":" + port());
    }

    public synchronized boolean isRunning() {
        return server != null && server.isRunning();
    }

    /** Waits until the server stops. */
    public void join() throws InterruptedException {
        Server s;
        synchronized (this) {
            s = server;
        }
        if (s != null) {
            s.join();
        }
    }

    /** Stops serving and ends the server's threads. Idempotent. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "The REST server did not stop cleanly", e);
        } finally {
            server = null;
            connector = null;
            context = null;
        }
    }

    /**
     * Adds a customization of the servlet context, such as a WebSocket endpoint. Before {@link #start} it joins the
     * builder's customizers; on a running server the servlet context is restarted with it while the port stays
     * bound (meant for start-up, when plugins of one engine add to the server in any order).
     */
    public synchronized void extend(Consumer<ServletContextHandler> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        config.customizers.add(customizer);
        if (context == null) {
            return;
        }
        try {
            context.stop();
            customizer.accept(context);
            context.start();
        } catch (Exception e) {
            throw new ConfigurationException("Could not add to the running REST server: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Configures a {@link TetherServer}. The hub is required; everything else has a default. */
    public static final class Builder {
        private HubService hub;
        private ProtocolCodec codec;
        private String host = "0.0.0.0";
        private int port = 8080;
        private Path keyStore;
        private String keyStorePassword;
        private String keyStoreType = "PKCS12";
        private int maxThreads = 64;
        private long idleTimeoutMillis = 30_000;
        private final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
        private final List<Consumer<ServletContextHandler>> customizers = new ArrayList<>();

        private Builder() {
        }

        /** The protocol logic to serve. Required. */
        public Builder hub(HubService hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
            return this;
        }

        /** The JSON codec. Default: {@link ProtocolCodec#load()}. */
        public Builder codec(ProtocolCodec codec) {
            this.codec = codec;
            return this;
        }

        /** The interface to bind. Default: {@code 0.0.0.0} (all). */
        public Builder host(String host) {
            this.host = host == null ? "0.0.0.0" : host;
            return this;
        }

        /** The port; 0 picks a free one (read it with {@link #port()} after start). Default: 8080. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Serves HTTPS with the key and certificate of a PKCS12 keystore. Default: plain HTTP. */
        public Builder tls(Path keyStore, String password) {
            return tls(keyStore, password, "PKCS12");
        }

        /** Serves HTTPS with a keystore of the given type ({@code PKCS12} or {@code JKS}). */
        public Builder tls(Path keyStore, String password, String type) {
            Objects.requireNonNull(keyStore, "keyStore");
            if (!Files.isReadable(keyStore)) {
                throw new ConfigurationException("TLS keystore " + keyStore + " does not exist or is not readable.");
            }
            this.keyStore = keyStore;
            this.keyStorePassword = password == null ? "" : password;
            this.keyStoreType = type == null ? "PKCS12" : type;
            return this;
        }

        /** The largest number of request threads. Default: 64. */
        public Builder maxThreads(int maxThreads) {
            if (maxThreads < 4) {
                throw new IllegalArgumentException("maxThreads must be at least 4, was " + maxThreads);
            }
            this.maxThreads = maxThreads;
            return this;
        }

        /** How long an idle connection is kept open. Default: 30 s. */
        public Builder idleTimeout(java.time.Duration timeout) {
            this.idleTimeoutMillis = timeout.toMillis();
            return this;
        }

        /** Mounts another servlet on the same context, at a servlet path spec such as {@code /admin/*}. */
        public Builder servlet(String pathSpec, HttpServlet servlet) {
            servlets.put(Objects.requireNonNull(pathSpec, "pathSpec"), Objects.requireNonNull(servlet, "servlet"));
            return this;
        }

        /**
         * Customizes the servlet context before start: add filters, servlets or a WebSocket container
         * ({@code JakartaWebSocketServletContainerInitializer.configure(context, ...)}).
         */
        public Builder customize(Consumer<ServletContextHandler> customizer) {
            customizers.add(Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        public TetherServer build() {
            if (hub == null) {
                throw new ConfigurationException("TetherServer needs a hub: call hub(hubEngine.service()).");
            }
            return new TetherServer(copy());
        }

        /** A snapshot, so that later changes to this builder do not reach a built server. */
        private Builder copy() {
            Builder c = new Builder();
            c.hub = hub;
            c.codec = codec != null ? codec : ProtocolCodec.load();
            c.host = host;
            c.port = port;
            c.keyStore = keyStore;
            c.keyStorePassword = keyStorePassword;
            c.keyStoreType = keyStoreType;
            c.maxThreads = maxThreads;
            c.idleTimeoutMillis = idleTimeoutMillis;
            c.servlets.putAll(servlets);
            c.customizers.addAll(customizers);
            return c;
        }
    }
}
