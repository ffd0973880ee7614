package io.tether.sync.jpa.internal;

import org.hibernate.dialect.H2Dialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Reads rows for many keys that share their first column (one collection's record ids, one client's change ids).
 * Over a network an IN list saves a round trip per key; an in-process database (H2) answers a key lookup in a few
 * microseconds, faster than it evaluates an IN list, so there the keys are looked up one by one on one prepared
 * statement.
 */
final class KeyLookup {
    private static final int CHUNK = 500;
    /** IN-list sizes: a handful of distinct statements for the database's statement cache, not one per size. */
    private static final int[] SIZES = {1, 4, 16, 64, 128, 256, CHUNK};

    private final String first;
    private final String second;
    private final boolean oneByOne;

    KeyLookup(String first, String second, boolean oneByOne) {
        this.first = first;
        this.second = second;
        this.oneByOne = oneByOne;
    }

    /** Rows of one collection by record id. */
    static KeyLookup records(SessionFactoryImplementor factory) {
        return new KeyLookup("collection_name", "record_id", inProcess(factory));
    }

    /** Dedup rows of one client by change id. */
    static KeyLookup changes(SessionFactoryImplementor factory) {
        return new KeyLookup("client_id", "change_id", inProcess(factory));
    }

    /** Whether the factory's database runs in this process (H2), where a key lookup costs a few microseconds. */
    static boolean inProcess(SessionFactoryImplementor factory) {
        return factory.getJdbcServices().getDialect() instanceof H2Dialect;
    }

    /**
     * Runs {@code select} (ending in {@code where }) with the key condition and {@code suffix} for every distinct
     * value, passing each row found to {@code reader}; the rows of each value come in {@code suffix}'s order.
     */
    void query(Connection c, String select, String suffix, String fixed, Collection<String> values,
               Jdbc.RowReader<?> reader) throws SQLException {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(values));
        if (distinct.isEmpty()) {
            return;
        }
        if (oneByOne) {
            try (PreparedStatement ps = c.prepareStatement(select + first + " = ? and " + second + " = ?" + suffix)) {
                ps.setString(1, fixed);
                for (String value : distinct) {
                    ps.setString(2, value);
                    read(ps, reader);
                }
            }
            return;
        }
        for (int from = 0; from < distinct.size(); from += CHUNK) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
            int size = padded(chunk.size());
            try (PreparedStatement ps = c.prepareStatement(select + first + " = ? and " + second + " in ("
                    + Jdbc.placeholders(size) + ")" + suffix)) {
                ps.setString(1, fixed);
                for (int i = 0; i < size; i++) {
                    ps.setString(i + 2, chunk.get(Math.min(i, chunk.size() - 1))); // a repeat changes nothing
                }
                read(ps, reader);
            }
        }
    }

    private static void read(PreparedStatement ps, Jdbc.RowReader<?> reader) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                reader.read(rs);
            }
        }
    }

    private static int padded(int n) {
        for (int size : SIZES) {
            if (n <= size) {
                return size;
            }
        }
        return CHUNK;
    }
}
