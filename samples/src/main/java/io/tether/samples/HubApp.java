package io.tether.samples;

import io.tether.samples.domain.SampleDatabase;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.Tether;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestPlugin;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.Subscription;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sample hub: the sample domain on Hibernate ({@code projects}, {@code tasks}), a {@link JpaHubStore},
 * field-merge conflicts, HS256 JWT authentication, and the {@code rest} plugin's embedded Jetty (plus the
 * WebSocket endpoint on the same port when plugin-websocket is on the class path).
 *
 * <pre>{@code
 * try (HubApp hub = HubApp.start(HubApp.Settings.defaults().port(0).jwtSecret(secret))) {
 *     System.out.println("serving " + hub.url());
 * }
 * }</pre>
 */
public final class HubApp implements AutoCloseable {
    static final Set<String> OPTIONS = Set.of("port", "host", "db", "db-user", "db-password", "jwt-secret",
            "retention");

    private final Settings settings;
    private final SampleDatabase database;
    private final JpaHubStore store;
    private final HubEngine engine;
    private final URI url;
    private boolean closed;

    private HubApp(Settings settings, SampleDatabase database, JpaHubStore store, HubEngine engine, URI url) {
        this.settings = settings;
        this.database = database;
        this.store = store;
        this.engine = engine;
        this.url = url;
    }

    /**
     * What to start. {@code port} 0 picks a free port; {@code db} as for {@link SampleDatabase#open}; the secret
     * must be at least 32 bytes; {@code retention} is how long tombstones and superseded changes are kept.
     */
    public record Settings(String host, int port, String db, String dbUser, String dbPassword, String jwtSecret,
                           Duration retention) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(jwtSecret, "jwtSecret");
            Objects.requireNonNull(retention, "retention");
        }

        /** All interfaces, port 8080, H2 in memory, a random secret, 30 days of retention. */
        public static Settings defaults() {
            return new Settings("0.0.0.0", 8080, "mem", null, null, JwtIssuer.randomSecret(), Duration.ofDays(30));
        }

        public Settings host(String host) {
            return new Settings(host, port, db, dbUser, dbPassword, jwtSecret, retention);
        }

        public Settings port(int port) {
            return new Settings(host, port, db, dbUser, dbPassword, jwtSecret, retention);
        }

        public Settings db(String db) {
            return new Settings(host, port, db, dbUser, dbPassword, jwtSecret, retention);
        }

        public Settings jwtSecret(String jwtSecret) {
            return new Settings(host, port, db, dbUser, dbPassword, jwtSecret, retention);
        }
    }

    /** Opens the database, starts the engine and the server. On failure everything opened is closed again. */
    public static HubApp start(Settings settings) {
        SampleDatabase database = SampleDatabase.open(settings.db(), settings.dbUser(), settings.dbPassword());
        JpaHubStore store = null;
        try {
            store = new JpaHubStore(database.factory());
            HubEngine.Builder builder = Tether.hub()
                    .store(store)
                    .conflictPolicy(ConflictPolicy.FIELD_MERGE)
                    .retention(settings.retention())
                    .authenticator(JwtAuthenticator.hs256(settings.jwtSecret()).build())
                    .plugin("rest")
                    .property("tether.rest.host", settings.host())
                    .property("tether.rest.port", Integer.toString(settings.port()));
            if (Transports.live()) {
                builder.plugin(Transports.WEBSOCKET);
            }
            HubEngine engine = builder.build();
            // the rest plugin's server, to read the port it bound (port 0 picks a free one)
            AtomicReference<TetherServer> server = new AtomicReference<>();
            try (Subscription serving = RestPlugin.whenServing(engine.service(), server::set)) {
                engine.start();
            } catch (RuntimeException e) {
                engine.close();
                throw e;
            }
            int port = server.get() != null ? server.get().port() : settings.port();
            String host = settings.host().equals("0.0.0.0") ? "localhost" : settings.host();
            return new HubApp(settings, database, store, engine, URI.create("http://" + host + ":" + port));
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            database.close();
            throw e;
        }
    }

    /** The base URL devices use, such as {@code http://localhost:8080}. */
    public URI url() {
        return url;
    }

    public HubEngine engine() {
        return engine;
    }

    /** The hub's store: read it to see what the hub holds. */
    public JpaHubStore store() {
        return store;
    }

    public SampleDatabase database() {
        return database;
    }

    /** An HS256 token for {@code user} that this hub accepts, valid for {@code ttl}. */
    public String token(String user, Duration ttl) {
        return new JwtIssuer(settings.jwtSecret()).issue(user, ttl);
    }

    /** Stops the server and the engine, and closes the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close();
        } finally {
            store.close();
            database.close();
        }
    }

    /** {@code hub [--port 8080] [--host 0.0.0.0] [--db mem|path|jdbc-url] [--jwt-secret S] [--retention P30D]}. */
    static int run(String[] args, PrintStream out) throws InterruptedException {
        Options o = Options.parse("hub", args, OPTIONS);
        Settings defaults = Settings.defaults();
        boolean generated = o.get("jwt-secret").isEmpty();
        String secret = o.get("jwt-secret", defaults.jwtSecret());
        checkSecret("hub", secret);
        Settings settings = new Settings(o.get("host", defaults.host()), o.port("port", defaults.port()),
                o.get("db", defaults.db()), o.get("db-user").orElse(null), o.get("db-password").orElse(null), secret,
                o.duration("retention", defaults.retention()));
        checkDb("hub", settings.db());
        HubApp hub = start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            out.println("Stopping the hub...");
            hub.close();
            out.println("Hub stopped.");
            stopped.countDown();
        }, "tether-samples-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Tether hub serving " + hub.url() + " (Hibernate on " + hub.database().description()
                + ", conflicts: field-merge, change-log retention " + o.get("retention", "P30D") + ")");
        out.println("Collections: projects, tasks. Transports: REST" + (Transports.live()
                ? " and WebSocket (" + hub.url().toString().replaceFirst("^http", "ws") + "/sync/v1/ws)" : "") + ".");
        String jar = "java -jar samples/target/tether-samples.jar";
        if (generated) {
            out.println();
            out.println("No --jwt-secret given: using a generated development secret:");
            out.println("  " + secret);
            out.println("A token for alice:  " + jar + " token --user alice --jwt-secret " + secret);
        }
        out.println("Start a device:     " + jar + " device --hub " + hub.url() + " --user alice --jwt-secret "
                + (generated ? secret : "<secret>"));
        out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    static void checkSecret(String command, String secret) {
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < JwtAuthenticator.MIN_SECRET_BYTES) {
            throw new UsageException(command + ": --jwt-secret must be at least " + JwtAuthenticator.MIN_SECRET_BYTES
                    + " bytes (HS256 needs 256 bits); it is " + bytes + ". Leave it out on the hub to get a generated"
                    + " one.");
        }
    }

    static void checkDb(String command, String db) {
        if (db.isBlank()) {
            throw new UsageException(command + ": --db must not be empty: mem, an H2 file path or a jdbc: URL.");
        }
        if (db.startsWith("jdbc:") && !db.startsWith("jdbc:h2:") && !db.startsWith("jdbc:postgresql://")) {
            throw new UsageException(command + ": --db takes mem, an H2 file path, a jdbc:h2: URL or a"
                    + " jdbc:postgresql:// URL; '" + db + "' is another database.");
        }
    }
}
