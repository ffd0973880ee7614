package io.tether.sync.jpa.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Inserts many rows into one of Tether's tables. H2, in process, starts a statement for every row of a JDBC batch,
 * which costs about as much as writing the row; there the rows go as one statement with an array per column
 * ({@code insert into t (a, b) select * from unnest(cast(? as bigint array), cast(? as varchar array))}). Elsewhere
 * as a JDBC batch.
 */
final class RowInsert<T> {
    /** The SQL types of Tether's columns, as an array's element type and as a JDBC type for nulls. */
    enum SqlType {
        BIGINT(Types.BIGINT), VARCHAR(Types.VARCHAR), BOOLEAN(Types.BOOLEAN);

        private final int jdbcType;

        SqlType(int jdbcType) {
            this.jdbcType = jdbcType;
        }

        String sql() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A column, its SQL type and its value in a row. */
    record Column<T>(String name, SqlType type, Function<T, Object> value) {
    }

    private final List<Column<T>> columns;
    private final String batchSql;
    private final String arraySql;

    @SafeVarargs
    RowInsert(String table, Column<T>... columns) {
        this.columns = List.of(columns);
        String names = this.columns.stream().map(Column::name).collect(Collectors.joining(", "));
        this.batchSql = "insert into " + table + " (" + names + ") values (" + Jdbc.placeholders(columns.length) + ")";
        this.arraySql = "insert into " + table + " (" + names + ") select * from unnest("
                + this.columns.stream().map(col -> "cast(? as " + col.type().sql() + " array)")
                .collect(Collectors.joining(", ")) + ")";
    }

    /** Inserts {@code rows}, as arrays where {@code inProcess} (H2), else as a batch; nothing when there are none. */
    void insert(Connection c, boolean inProcess, List<T> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        if (inProcess) {
            try (PreparedStatement ps = c.prepareStatement(arraySql)) {
                for (List<T> chunk : Jdbc.chunks(rows, Jdbc.ARRAY_CHUNK)) {
                    for (int i = 0; i < columns.size(); i++) {
                        ps.setObject(i + 1, chunk.stream().map(columns.get(i).value()).toArray());
                    }
                    ps.executeUpdate();
                }
            }
            return;
        }
        Jdbc.batch(c, batchSql, rows, (ps, row) -> {
            for (int i = 0; i < columns.size(); i++) {
                Object value = columns.get(i).value().apply(row);
                if (value == null) {
                    ps.setNull(i + 1, columns.get(i).type().jdbcType);
                } else {
                    ps.setObject(i + 1, value);
                }
            }
        });
    }
}
