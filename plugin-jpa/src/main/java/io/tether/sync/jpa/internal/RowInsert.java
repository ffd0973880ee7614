package io.tether.sync.jpa.internal;

import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.H2Dialect;
import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;

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
 * which costs about as much as writing the row, and PostgreSQL executes each row of a batch as a statement of its
 * own; on both the rows go as one statement with an array per column
 * ({@code insert into t (a, b) select * from unnest(cast(? as bigint array), cast(? as varchar array))}). Elsewhere
 * as a JDBC batch.
 */
final class RowInsert<T> {
    /** The SQL types of Tether's columns, as an array's element type and as a JDBC type for nulls. */
    enum SqlType {
        BIGINT(Types.BIGINT, "int8"), VARCHAR(Types.VARCHAR, "varchar"), BOOLEAN(Types.BOOLEAN, "bool");

        private final int jdbcType;
        /** The element type's name for {@link Connection#createArrayOf} on PostgreSQL. */
        private final String postgresName;

        SqlType(int jdbcType, String postgresName) {
            this.jdbcType = jdbcType;
            this.postgresName = postgresName;
        }

        String sql() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How rows are sent: arrays bound as H2 takes them, arrays of the PostgreSQL driver, or a JDBC batch. */
    enum Form {
        H2_ARRAYS, POSTGRESQL_ARRAYS, BATCH;

        static Form of(SessionFactoryImplementor factory) {
            Dialect dialect = factory.getJdbcServices().getDialect();
            return dialect instanceof H2Dialect ? H2_ARRAYS
                    : dialect instanceof PostgreSQLDialect ? POSTGRESQL_ARRAYS : BATCH;
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

    /** Inserts {@code rows} in the given form; nothing when there are none. */
    void insert(Connection c, Form form, List<T> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        if (form != Form.BATCH) {
            try (PreparedStatement ps = c.prepareStatement(arraySql)) {
                for (List<T> chunk : Jdbc.chunks(rows, Jdbc.ARRAY_CHUNK)) {
                    for (int i = 0; i < columns.size(); i++) {
                        Column<T> column = columns.get(i);
                        Object[] values = chunk.stream().map(column.value()).toArray();
                        if (form == Form.H2_ARRAYS) {
                            ps.setObject(i + 1, values);
                        } else {
                            ps.setArray(i + 1, c.createArrayOf(column.type().postgresName, values));
                        }
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
