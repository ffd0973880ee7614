package io.tether.sync.jpa.internal;

import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Finds the rows of one collection's records by id through a {@code (collection_name, record_id)} primary key: a
 * row-value IN list where the database takes one (H2 then looks each pair up in the key, where
 * {@code collection_name = ? and record_id in (...)} would scan the collection's part of it), a plain IN list on
 * {@code record_id} otherwise.
 */
record KeyLookup(boolean rowValues) {
    static KeyLookup of(SessionFactoryImplementor factory) {
        return new KeyLookup(factory.getJdbcServices().getDialect().supportsRowValueConstructorSyntaxInInList());
    }

    /** The condition for {@code n} (padded) ids. */
    String condition(int n) {
        if (!rowValues) {
            return "collection_name = ? and record_id in (" + Jdbc.placeholders(n) + ")";
        }
        StringBuilder sb = new StringBuilder("(collection_name, record_id) in (");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        return sb.append(')').toString();
    }

    /** Binds the collection and ids of a condition made for {@code ReplicaTables.padded(ids.size())} ids. */
    void bind(PreparedStatement ps, String collection, List<String> ids) throws SQLException {
        int size = ReplicaTables.padded(ids.size());
        int at = 1;
        if (!rowValues) {
            ps.setString(at++, collection);
        }
        for (int i = 0; i < size; i++) {
            if (rowValues) {
                ps.setString(at++, collection);
            }
            ps.setString(at++, ids.get(Math.min(i, ids.size() - 1)));
        }
    }
}
