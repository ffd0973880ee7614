package io.tether.sync.jpa;

import jakarta.persistence.EntityManagerFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.tool.schema.Action;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Databases for the TCK kits: every store gets a fresh, empty database (an H2 in-memory database, or a
 * PostgreSQL schema of its own), which outlives the store's factory so that a restart reopens the same data.
 */
final class TckDatabases implements AutoCloseable {
    private final boolean postgres;
    private final Class<?> owner;
    private final Map<Object, Opened> byStore = new IdentityHashMap<>();
    private final List<String> schemas = new ArrayList<>();

    private record Opened(String url, EntityManagerFactory emf) {
    }

    TckDatabases(Class<?> owner, boolean postgres) {
        this.owner = owner;
        this.postgres = postgres;
    }

    private String freshUrl() {
        if (!postgres) {
            return Databases.h2Memory();
        }
        String url = Databases.postgresSchema(owner);
        schemas.add(url);
        return url;
    }

    private static EntityManagerFactory open(String url, Action action) {
        HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration("tether-tck")
                .managedClasses(TckTask.class, TckNote.class)
                .jdbcUrl(url)
                .jdbcPoolSize(16)
                .schemaToolingAction(action);
        if (url.startsWith("jdbc:postgresql")) {
            config.jdbcCredentials(System.getenv().getOrDefault("TETHER_TEST_PG_USER", "postgres"),
                    System.getenv().getOrDefault("TETHER_TEST_PG_PASSWORD", ""));
        }
        return config.createEntityManagerFactory();
    }

    synchronized JpaReplicaStore replica() {
        String url = freshUrl();
        EntityManagerFactory emf = open(url, Action.CREATE);
        JpaReplicaStore store = new JpaReplicaStore(emf);
        byStore.put(store, new Opened(url, emf));
        return store;
    }

    synchronized JpaHubStore hub() {
        String url = freshUrl();
        EntityManagerFactory emf = open(url, Action.CREATE);
        JpaHubStore store = new JpaHubStore(emf);
        byStore.put(store, new Opened(url, emf));
        return store;
    }

    /** Closes a store and its factory, then opens a new store on the same database. */
    synchronized Object reopen(Object closed) {
        Opened old = byStore.remove(closed);
        if (old == null) {
            throw new IllegalArgumentException("not a store of these databases: " + closed);
        }
        try {
            ((AutoCloseable) closed).close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        old.emf().close();
        EntityManagerFactory emf = open(old.url(), Action.NONE);
        Object store = closed instanceof JpaHubStore ? new JpaHubStore(emf) : new JpaReplicaStore(emf);
        byStore.put(store, new Opened(old.url(), emf));
        return store;
    }

    @Override
    public synchronized void close() {
        byStore.values().forEach(o -> {
            if (o.emf().isOpen()) {
                o.emf().close();
            }
        });
        byStore.clear();
        schemas.forEach(Databases::dropPostgresSchema);
        schemas.clear();
    }
}
