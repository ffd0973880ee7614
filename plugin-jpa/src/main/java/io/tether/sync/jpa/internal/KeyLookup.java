package io.tether.sync.jpa.internal;

import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Finds rows by a two-column primary key whose first column is fixed (a collection, a client) and whose second
 * takes a list of values (record ids, change ids): a row-value IN list where the database takes one (H2 then
 * looks each pair up in the key, where {@code first = ? and second in (...)} would scan the first value's part of
 * it), a plain IN list on the second column otherwise.
 */
record KeyLookup(String first, String second, boolean rowValues) {
    /** Rows of one collection by record id. */
    static KeyLookup records(SessionFactoryImplementor factory) {
        return of(factory, "collection_name", "record_id");
    }

    /** Dedup rows of one client by change id. */
    static KeyLookup changes(SessionFactoryImplementor factory) {
        return of(factory, "client_id", "change_id");
    }

    private static KeyLookup of(SessionFactoryImplementor factory, String first, String second) {
        return new KeyLookup(first, second,
                factory.getJdbcServices().getDialect().supportsRowValueConstructorSyntaxInInList());
    }

    /** The condition for {@code n} (padded) values. */
    String condition(int n) {
        if (!rowValues) {
            return first + " = ? and " + second + " in (" + Jdbc.placeholders(n) + ")";
        }
        StringBuilder sb = new StringBuilder("(").append(first).append(", ").append(second).append(") in (");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return sb.append(')').toString();
    }

    /** Binds a condition made for {@code ReplicaTables.padded(values.size())} values. */
    void bind(PreparedStatement ps, String fixed, List<String> values) throws SQLException {
        int size = ReplicaTables.padded(values.size());
        int at = 1;
        if (!rowValues) {
            ps.setString(at++, fixed);
        }
        for (int i = 0; i < size; i++) {
            if (rowValues) {
                ps.setString(at++, fixed);
            }
            ps.setString(at++, values.get(Math.min(i, values.size() - 1)));
        }
    }
}
