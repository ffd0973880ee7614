package io.tether.sync.jpa.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Inserts many rows into one of Tether's tables. H2, in process, starts a statement for every row of a JDBC batch,
 * which costs about as much as writing the row; there the rows go as one statement with an array per column
 * ({@code insert into t (a, b) select * from unnest(cast(? as bigint array), cast(? as varchar array))}). Elsewhere
 * as a JDBC batch.
 */
final class RowInsert<T> {
    /** Rows per statement on H2 (whose arrays hold at most 65,536 elements). */
    private static final int ARRAY_CHUNK = 10_000;

    /** A column, its SQL type ({@code bigint}, {@code varchar} or {@code boolean}) and its value in a row. */
    record Column<T>(String name, String sqlType, Function<T, Object> value) {
        int jdbcType() {
            return switch (sqlType) {
                case "bigint" -> Types.BIGINT;
                case "boolean" -> Types.BOOLEAN;
                default -> Types.VARCHAR;
            };
        }
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
                + this.columns.stream().map(col -> "cast(? as " + col.sqlType() + " array)")
                .collect(Collectors.joining(", ")) + ")";
    }

    /** Inserts {@code rows}, as arrays where {@code inProcess} (H2), else as a batch; nothing when there are none. */
    void insert(Connection c, boolean inProcess, Collection<T> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        if (inProcess) {
            try (PreparedStatement ps = c.prepareStatement(arraySql)) {
                List<T> list = List.copyOf(rows);
                for (int from = 0; from < list.size(); from += ARRAY_CHUNK) {
                    List<T> chunk = list.subList(from, Math.min(list.size(), from + ARRAY_CHUNK));
                    for (int i = 0; i < columns.size(); i++) {
                        Function<T, Object> value = columns.get(i).value();
                        ps.setObject(i + 1, chunk.stream().map(value).toArray());
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
                    ps.setNull(i + 1, columns.get(i).jdbcType());
                } else {
                    ps.setObject(i + 1, value);
                }
            }
        });
    }
}
