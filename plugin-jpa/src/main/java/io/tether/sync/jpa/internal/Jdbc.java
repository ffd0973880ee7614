package io.tether.sync.jpa.internal;

import io.tether.sync.SyncException;
import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.H2Dialect;
import org.hibernate.dialect.MySQLDialect;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Plain JDBC on a session's connection, for Tether's own tables. */
final class Jdbc {
    private Jdbc() {
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    @FunctionalInterface
    interface RowBinder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    static <T> T on(SharedSessionContractImplementor session, Work<T> work) {
        try {
            return work.run(session.getJdbcCoordinator().getLogicalConnection().getPhysicalConnection());
        } catch (SQLException e) {
            throw new SyncException("Tether table access failed: " + e.getMessage(), e);
        }
    }

    static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }

    static <T> List<T> query(Connection c, String sql, Binder binder, RowReader<T> reader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(reader.read(rs));
                }
                return out;
            }
        }
    }

    /**
     * Whether the factory's database takes {@code limit n} after a query (H2, PostgreSQL, MySQL and MariaDB). Where a
     * query reads the first rows of many, the limit tells the planner: PostgreSQL otherwise plans for every row the
     * query could return (a join and a sort of the whole change log for a page of a pull), and only stops sending
     * at the JDBC driver's maximum row count.
     */
    static boolean takesLimit(SessionFactoryImplementor factory) {
        Dialect dialect = factory.getJdbcServices().getDialect();
        return dialect instanceof H2Dialect || dialect instanceof PostgreSQLDialect || dialect instanceof MySQLDialect;
    }

    /** Whether {@code select} (its parameters bound by {@code binder}) finds a row; it reads at most one. */
    static boolean anyRow(Connection c, String select, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(select)) {
            binder.bind(ps);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Runs {@code sql} once per row as one JDBC batch; nothing when there are no rows. */
    static <T> void batch(Connection c, String sql, Collection<T> rows, RowBinder<? super T> binder)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (T row : rows) {
                binder.bind(ps, row);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * The most elements Tether puts in one array parameter: H2's arrays hold at most 65,536, and a statement per
     * ten thousand rows costs nothing measurable.
     */
    static final int ARRAY_CHUNK = 10_000;

    /** {@code list} in consecutive pieces of at most {@code size} elements (views, in order). */
    static <T> List<List<T>> chunks(List<T> list, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < list.size(); from += size) {
            out.add(list.subList(from, Math.min(list.size(), from + size)));
        }
        return out;
    }

    /** {@code ?, ?, ?} with n placeholders. */
    static String placeholders(int n) {
        StringBuilder sb = new StringBuilder(n * 3);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.toString();
    }
}
