package io.tether.sync.jpa.internal;

import org.hibernate.persister.entity.AbstractEntityPersister;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Warns when PostgreSQL will not refresh the planner's statistics of a store's tables. Without an {@code ANALYZE}
 * PostgreSQL keeps planning a prepared statement as it did while its table was small: the JDBC driver prepares a
 * statement on the server after a few runs, and the plan chosen for a table of a few hundred rows (read it whole)
 * stays until statistics change. Tether's key lookups and Hibernate's loads then read whole tables, and a hub slows
 * from milliseconds to seconds a push as its tables grow. Autovacuum, on by default, analyzes tables as they grow.
 */
final class PlannerStatistics {
    private static final System.Logger LOG = System.getLogger(PlannerStatistics.class.getName());

    private PlannerStatistics() {
    }

    /** On PostgreSQL, logs a warning when nothing analyzes the store's tables ({@link #warning}). */
    static void check(Connection c, EntityRecords records) throws SQLException {
        if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
            return;
        }
        Set<String> tables = new TreeSet<>();
        records.model().entities().forEach(e -> {
            if (e.persister() instanceof AbstractEntityPersister p) {
                String[] name = p.getTableName().split("\\.");
                tables.add(name[name.length - 1].replace("\"", "").toLowerCase(Locale.ROOT));
            }
        });
        warning(c, tables).ifPresent(message -> LOG.log(System.Logger.Level.WARNING, message));
    }

    /**
     * What keeps PostgreSQL from refreshing the planner's statistics of Tether's tables (in the current schema) and of
     * {@code entityTables}: autovacuum off on the server, or for some of those tables ({@code autovacuum_enabled =
     * false}); empty when nothing does.
     */
    private static Optional<String> warning(Connection c, Collection<String> entityTables) throws SQLException {
        boolean serverOff = "off".equals(Jdbc.query(c, "show autovacuum", ps -> { }, rs -> rs.getString(1)).get(0));
        List<String> tablesOff = Jdbc.query(c, "select c.relname from pg_class c "
                + "where c.relnamespace = to_regnamespace(current_schema()) and c.relkind = 'r' "
                + "and (c.relname like 'tether\\_%' or c.relname = any (?)) "
                + "and exists (select 1 from unnest(c.reloptions) o "
                + "where o ~* '^autovacuum_enabled=(false|off|no|f|n|0)$') order by c.relname",
                ps -> ps.setArray(1, c.createArrayOf("text", entityTables.toArray())), rs -> rs.getString(1));
        if (!serverOff && tablesOff.isEmpty()) {
            return Optional.empty();
        }
        List<String> causes = new ArrayList<>();
        if (serverOff) {
            causes.add("on this PostgreSQL server");
        }
        if (!tablesOff.isEmpty()) {
            causes.add("for table" + (tablesOff.size() == 1 ? " " : "s ") + String.join(", ", tablesOff));
        }
        return Optional.of("autovacuum is off " + String.join(" and ", causes) + ", so nothing refreshes the "
                + "planner's statistics of Tether's and the synced entities' tables as they grow. A statement the "
                + "JDBC driver prepared while a table was small keeps reading the whole table, and sync slows down as "
                + "the data grows (a hub's push of 1,000 new records took seconds once it held 150,000). Turn "
                + "autovacuum on, or run ANALYZE on those tables after large changes.");
    }
}
