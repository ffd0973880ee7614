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
 * Over a network an IN list saves a round trip per key. H2, in process, evaluates an IN list slower than it looks
 * keys up, and spends most of a one-key lookup starting the statement; there the keys go as one array parameter,
 * joined to the table, so that one statement looks them all up through the index (a quarter of the time of one
 * statement per key on a table of a million rows).
 */
final class KeyLookup {
    private static final int CHUNK = 500;
    /** IN-list sizes: a handful of distinct statements for the database's statement cache, not one per size. */
    private static final int[] SIZES = {1, 4, 16, 64, 128, 256, CHUNK};

    private final String first;
    private final String second;
    private final boolean inProcess;

    KeyLookup(String first, String second, boolean inProcess) {
        this.first = first;
        this.second = second;
        this.inProcess = inProcess;
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
     * Selects {@code columns} of {@code table}'s rows whose first key column is {@code fixed} and whose second is
     * any of {@code values}, followed by {@code suffix} (an order, a lock), passing each row to {@code reader}; the
     * rows of each value come in {@code suffix}'s order, and on H2 the values are looked up in their iteration order
     * (so a locking read locks in that order).
     */
    void query(Connection c, String columns, String table, String suffix, String fixed, Collection<String> values,
               Jdbc.RowReader<?> reader) throws SQLException {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(values));
        if (distinct.isEmpty()) {
            return;
        }
        if (inProcess) {
            try (PreparedStatement ps = c.prepareStatement(arrayJoin(columns, "varchar", table,
                    first + " = ? and " + second + " = " + ARRAY_KEY) + suffix)) {
                ps.setString(2, fixed);
                readByArray(ps, distinct, reader);
            }
            return;
        }
        for (List<String> chunk : Jdbc.chunks(distinct, CHUNK)) {
            int size = padded(chunk.size());
            try (PreparedStatement ps = c.prepareStatement("select " + columns + " from " + table + " where " + first
                    + " = ? and " + second + " in (" + Jdbc.placeholders(size) + ")" + suffix)) {
                ps.setString(1, fixed);
                for (int i = 0; i < size; i++) {
                    ps.setString(i + 2, chunk.get(Math.min(i, chunk.size() - 1))); // a repeat changes nothing
                }
                read(ps, reader);
            }
        }
    }

    /** The name {@link #arrayJoin} gives each key of its array, for the join condition. */
    static final String ARRAY_KEY = "tether_key";

    /**
     * The H2 form of a lookup of many keys: {@code select columns} of {@code table}'s rows joined to the keys of an
     * array parameter (the first, of SQL type {@code elementType}), each called {@value #ARRAY_KEY} in {@code on}.
     * H2 plans it with the array outside and the table's index inside.
     */
    static String arrayJoin(String columns, String elementType, String table, String on) {
        return "select " + columns + " from unnest(cast(? as " + elementType + " array)) tether_keys(" + ARRAY_KEY
                + ") join " + table + " on " + on;
    }

    /** Runs an {@link #arrayJoin} statement for {@code keys}, in arrays of at most {@link Jdbc#ARRAY_CHUNK}. */
    static void readByArray(PreparedStatement ps, List<?> keys, Jdbc.RowReader<?> reader) throws SQLException {
        for (List<?> chunk : Jdbc.chunks(keys, Jdbc.ARRAY_CHUNK)) {
            ps.setObject(1, chunk.toArray());
            read(ps, reader);
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
