package io.tether.samples.domain;

import io.tether.sync.ConfigurationException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sample domain's Hibernate {@link EntityManagerFactory}, built in code (no {@code persistence.xml}), with the
 * schema (the domain tables and Tether's own) created or updated at start. {@link #close()} closes the factory
 * and, for an in-memory database, drops it.
 *
 * <pre>{@code
 * try (SampleDatabase db = SampleDatabase.open("mem", null, null)) {
 *     JpaHubStore store = new JpaHubStore(db.factory());
 * }
 * }</pre>
 */
public final class SampleDatabase implements AutoCloseable {
    /** The entities of the sample domain. */
    public static final List<Class<?>> ENTITIES = List.of(Project.class, Task.class);

    private final String url;
    private final String description;
    private final EntityManagerFactory factory;
    private final boolean inMemory;

    private SampleDatabase(String url, String description, EntityManagerFactory factory, boolean inMemory) {
        this.url = url;
        this.description = description;
        this.factory = factory;
        this.inMemory = inMemory;
    }

    /**
     * Opens a database.
     *
     * @param db       {@code mem} (H2 in memory), an H2 file path (H2 adds {@code .mv.db}), a {@code jdbc:h2:} URL
     *                 or a {@code jdbc:postgresql://} URL
     * @param user     the database user, or null (PostgreSQL also reads {@code user=} from the URL)
     * @param password the database password, or null
     * @throws ConfigurationException when the database cannot be opened (unreachable, in use by another process,
     *                                wrong credentials), with the database's own message
     */
    public static SampleDatabase open(String db, String user, String password) {
        Objects.requireNonNull(db, "db");
        String url = jdbcUrl(db);
        boolean memory = url.startsWith("jdbc:h2:mem:");
        HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration("tether-samples")
                .managedClasses(ENTITIES)
                .jdbcUrl(url)
                .jdbcPoolSize(8)
                .schemaToolingAction(Action.UPDATE);
        if (user != null) {
            config.jdbcCredentials(user, password == null ? "" : password);
        }
        String description = memory ? "H2 in memory" : url.startsWith("jdbc:h2:file:")
                ? "H2 file " + url.substring("jdbc:h2:file:".length(), url.indexOf(';')) + ".mv.db" : redact(url);
        EntityManagerFactory factory;
        try {
            factory = config.createEntityManagerFactory();
        } catch (RuntimeException e) {
            throw new ConfigurationException("Cannot open the database (" + description + "): " + rootMessage(e), e);
        }
        return new SampleDatabase(url, description, factory, memory);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** The JDBC URL for a {@code --db} value. */
    static String jdbcUrl(String db) {
        if (db.equals("mem")) {
            return "jdbc:h2:mem:tether-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000";
        }
        if (db.startsWith("jdbc:h2:") || db.startsWith("jdbc:postgresql:")) {
            return db;
        }
        if (db.startsWith("jdbc:")) {
            throw new IllegalArgumentException("--db takes mem, an H2 file path, a jdbc:h2: URL or a"
                    + " jdbc:postgresql:// URL; '" + db + "' is another database.");
        }
        String path = Path.of(db).toAbsolutePath().normalize().toString();
        if (path.endsWith(".mv.db")) {
            path = path.substring(0, path.length() - ".mv.db".length());
        }
        return "jdbc:h2:file:" + path + ";WRITE_DELAY=0;LOCK_TIMEOUT=20000";
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public EntityManagerFactory factory() {
        return factory;
    }

    /** What the database is, for messages: {@code H2 in memory}, {@code H2 file /path/db.mv.db}, a URL. */
    public String description() {
        return description;
    }

    /** Runs {@code work} in a transaction and commits it (rolls back when it throws). */
    public <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager em = factory.createEntityManager();
        try {
            em.getTransaction().begin();
            T result = work.apply(em);
            em.getTransaction().commit();
            return result;
        } catch (RuntimeException e) {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            throw e;
        } finally {
            em.close();
        }
    }

    /** Runs {@code work} in a transaction and commits it. */
    public void transaction(Consumer<EntityManager> work) {
        inTransaction(em -> {
            work.accept(em);
            return null;
        });
    }

    /** Closes the factory; an in-memory database is dropped. Idempotent. */
    @Override
    public synchronized void close() {
        if (!factory.isOpen()) {
            return;
        }
        factory.close();
        if (inMemory) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                // already gone
            }
        }
    }
}
