package io.tether.sync.jpa.internal;

import io.tether.sync.spi.WriteRefusedException;
import org.hibernate.exception.ConstraintViolationException;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/** Tells a write the database or entity validation refused (the data's fault) from a failure of the store. */
public final class Refusals {
    private static final int MAX_DETAIL = 300;

    private Refusals() {
    }

    /**
     * {@code failure} as a {@link WriteRefusedException} when a constraint or the database's checks of a value refused
     * the write; otherwise itself.
     */
    public static RuntimeException translate(RuntimeException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof WriteRefusedException refused) {
                return refused;
            }
            if (t instanceof ConstraintViolationException violation) {
                String kind = violation.getKind() == ConstraintViolationException.ConstraintKind.OTHER ? ""
                        : violation.getKind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " ";
                String name = violation.getConstraintName() == null ? "" : " " + violation.getConstraintName();
                return new WriteRefusedException("the database refused the write: " + kind + "constraint" + name
                        + " violated (" + firstLine(violation.getSQLException()) + ")", failure);
            }
            if (t.getClass().getName().equals("jakarta.validation.ConstraintViolationException")) {
                return new WriteRefusedException("entity validation refused the write: " + t.getMessage(), failure);
            }
            SQLException refusedValue = t instanceof SQLException sql ? dataException(sql) : null;
            if (refusedValue != null) {
                return new WriteRefusedException("the database refused a value of the record: "
                        + firstLine(refusedValue), failure);
            }
        }
        return failure;
    }

    /**
     * The database refusing a value (SQLSTATE class 22, "data exception": a string longer than its column, a number
     * out of its column's range, a character the column's encoding cannot hold, a date out of range), or null. Of a
     * failed JDBC batch, the entry's own exception, which has the database's words rather than the statement's.
     */
    private static SQLException dataException(SQLException e) {
        SQLException found = null;
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (s.getSQLState() != null && s.getSQLState().startsWith("22")) {
                found = s;
            }
        }
        return found;
    }

    /**
     * Whether {@code failure} is the database giving up on a lock this transaction waited for (a lock timeout, a
     * deadlock it broke, a serialization failure): nothing is wrong with the data, and the same work can succeed a
     * moment later.
     */
    public static boolean contended(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.PessimisticLockException
                    || t instanceof org.hibernate.exception.LockAcquisitionException
                    || t instanceof jakarta.persistence.PessimisticLockException
                    || t instanceof jakarta.persistence.LockTimeoutException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && CONTENDED_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Serialization failure, deadlock (PostgreSQL), lock timeout (H2), lock not available (PostgreSQL). */
    private static final Set<String> CONTENDED_STATES = Set.of("40001", "40P01", "HYT00", "55P03");

    /** The database's own words, without the statement it quotes. */
    private static String firstLine(SQLException e) {
        String message = e == null || e.getMessage() == null ? "" : e.getMessage();
        int cut = message.length();
        for (String end : new String[] {"\n", "; SQL statement"}) {
            int at = message.indexOf(end);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        String line = message.substring(0, cut).trim();
        return line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL) + "…";
    }
}
