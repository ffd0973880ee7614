package io.tether.sync.jpa.internal;

import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Hub nodes over one PostgreSQL database tell each other that they appended to the change log: a transaction that
 * moves the head sends a {@code NOTIFY} in the same statement ({@link HubTables#setHead}; PostgreSQL delivers it
 * when the transaction commits, never for a rollback), and each node listens on a connection of its own and tells
 * its engine when another node's arrives, so that its live subscribers get that node's commits at once instead of
 * at the engine's next poll. PostgreSQL only: elsewhere the poll serves alone. The listening connection is taken
 * from the factory's pool, and exchanged every few minutes so that the pool may retire it.
 */
final class LogNotifications implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LogNotifications.class.getName());
    static final String CHANNEL = "tether_change_log";
    private static final int WAIT_MS = 500;
    /** How long one pooled connection listens before it goes back to the pool (which may retire it) for another. */
    private static final long HOLD_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final String node = UUID.randomUUID().toString();
    private final SessionFactoryImplementor factory;
    private final ConnectionProvider connections;
    private final Runnable otherNodeLogged;
    private final Thread listener;
    private volatile boolean closed;

    private LogNotifications(SessionFactoryImplementor factory, Runnable otherNodeLogged) {
        this.factory = factory;
        this.connections = factory.getServiceRegistry().requireService(ConnectionProvider.class);
        this.otherNodeLogged = otherNodeLogged;
        this.listener = new Thread(this::listen, "tether-jpa-log-notifications");
        listener.setDaemon(true);
    }

    /** Starts listening when the factory's database is PostgreSQL; empty otherwise. */
    static Optional<LogNotifications> start(SessionFactoryImplementor factory, Runnable otherNodeLogged) {
        if (!(factory.getJdbcServices().getDialect() instanceof PostgreSQLDialect)) {
            return Optional.empty();
        }
        LogNotifications n = new LogNotifications(factory, otherNodeLogged);
        n.listener.start();
        return Optional.of(n);
    }

    /** What this node's notifications carry, so that it passes over its own. */
    String node() {
        return node;
    }

    /** Whether to go on: the store is open and so is the application's factory (closing it ends the pool). */
    private boolean listening() {
        return !closed && !factory.isClosed();
    }

    private void listen() {
        while (listening()) {
            Connection c = null;
            try {
                c = connections.getConnection();
                c.setAutoCommit(true); // notifications arrive between transactions
                try (Statement s = c.createStatement()) {
                    s.execute("listen " + CHANNEL);
                }
                otherNodeLogged.run(); // what other nodes committed while no connection listened
                long giveBack = System.nanoTime() + HOLD_NANOS;
                while (listening() && System.nanoTime() < giveBack) {
                    if (Driver.otherNodeNotified(c, node, WAIT_MS)) {
                        otherNodeLogged.run();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute("unlisten " + CHANNEL);
                }
            } catch (SQLException | RuntimeException e) {
                broken(c); // so that the pool drops it: it may not notice by itself, and would hand it on
                if (listening()) {
                    LOG.log(System.Logger.Level.WARNING, "listening for other hub nodes' commits failed; listening "
                            + "again in 1 s (their commits still reach live subscribers by the engine's poll)", e);
                    pause();
                }
            } finally {
                if (c != null) {
                    try {
                        connections.closeConnection(c);
                    } catch (SQLException e) {
                        // the pool drops it
                    }
                }
            }
        }
    }

    /** The driver's API, in a class of its own: loaded only on PostgreSQL, so its driver need not be there otherwise. */
    private static final class Driver {
        /** Waits up to {@code waitMs} for notifications; whether one came from a node other than {@code node}. */
        static boolean otherNodeNotified(Connection c, String node, int waitMs) throws SQLException {
            PGNotification[] received = c.unwrap(PGConnection.class).getNotifications(waitMs);
            if (received != null) {
                for (PGNotification n : received) {
                    if (!node.equals(n.getParameter())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static void broken(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closed already
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening (within {@value #WAIT_MS} ms) and gives the connection back. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.join(2 * WAIT_MS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
