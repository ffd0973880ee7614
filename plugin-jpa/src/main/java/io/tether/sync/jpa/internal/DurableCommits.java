package io.tether.sync.jpa.internal;

import io.tether.sync.SyncException;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Makes a hub's commits durable when they return. A hub answers a push only after its transaction commits; a commit
 * that a crash then loses would lose a write the hub acknowledged (the replica has already dropped it from its
 * outbox), and the hub would hand its versions out again, so replicas whose cursors passed them would skip the
 * changes that take them. H2 writes commits to its file up to {@code WRITE_DELAY} ms late (500 by default), and
 * PostgreSQL with {@code synchronous_commit = off} acknowledges a commit before it is flushed.
 */
final class DurableCommits {
    private static final System.Logger LOG = System.getLogger(DurableCommits.class.getName());

    private DurableCommits() {
    }

    /**
     * On H2 with a database file, sets {@code WRITE_DELAY} to 0 if it is not (for as long as the database is open:
     * H2 stores the setting but does not use it when the database is opened again), or fails with what to do if that
     * is refused. Returns whether each hub transaction must ask PostgreSQL for a synchronous
     * commit itself, because the session's default is {@code off}.
     */
    static boolean ensure(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        if ("H2".equals(product)) {
            String file = Jdbc.query(c, "select database_path()", ps -> { }, rs -> rs.getString(1)).get(0);
            // two rows: the stored setting and the one in effect, which a reopened database resets to the default
            String delay = Jdbc.query(c, "select setting_value from information_schema.settings "
                    + "where setting_name = 'WRITE_DELAY' and setting_value <> '0'", ps -> { }, rs -> rs.getString(1))
                    .stream().findFirst().orElse("0");
            if (file == null || "0".equals(delay)) {
                return false; // in memory, or durable already
            }
            try {
                Jdbc.update(c, "set write_delay 0", ps -> { });
            } catch (SQLException e) {
                throw new SyncException("The hub's H2 database " + file + " writes commits to its file up to " + delay
                        + " ms late (WRITE_DELAY=" + delay + "), so a crash would lose pushes the hub has "
                        + "acknowledged, and setting it to 0 was refused (" + e.getMessage() + "). Add "
                        + ";WRITE_DELAY=0 to the JDBC URL, or open the database as its admin.", e);
            }
            LOG.log(System.Logger.Level.INFO, "The hub's H2 database " + file + " wrote commits to its file up to "
                    + delay + " ms late; its WRITE_DELAY is now 0, so that a crash loses no push the hub acknowledged.");
            return false;
        }
        if ("PostgreSQL".equals(product)) {
            String mode = Jdbc.query(c, "show synchronous_commit", ps -> { }, rs -> rs.getString(1)).get(0);
            if ("off".equals(mode)) {
                LOG.log(System.Logger.Level.INFO, "synchronous_commit is off for the hub's PostgreSQL sessions; "
                        + "the hub's transactions turn it on for themselves, so that a crash loses no push the hub "
                        + "acknowledged.");
                return true;
            }
        }
        return false;
    }
}
