package io.tether.sync.jpa.internal;

import org.hibernate.dialect.PostgreSQLDialect;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SessionImplementor;

import java.sql.Statement;

/**
 * How long a hub transaction waits for a record's row lock before the database gives up (and the push is answered
 * {@code rate-limited}). PostgreSQL waits without limit by default, so there each hub transaction sets
 * {@code lock_timeout} for itself: the persistence unit's {@value #PROPERTY} in milliseconds, or
 * {@value #DEFAULT_MS} ms. Other databases keep their own setting (H2's {@code LOCK_TIMEOUT}, 2 s by default).
 */
public record LockWait(String statement) {
    /** The standard Jakarta Persistence property for pessimistic lock timeouts, in milliseconds. */
    public static final String PROPERTY = "jakarta.persistence.lock.timeout";
    static final long DEFAULT_MS = 5_000;

    /** The wait for a factory's database: a statement to run first in each hub transaction, or none. */
    public static LockWait of(SessionFactoryImplementor factory) {
        long ms = millis(factory.getProperties().get(PROPERTY));
        if (!(factory.getJdbcServices().getDialect() instanceof PostgreSQLDialect)) {
            return new LockWait(null);
        }
        return new LockWait(postgres(ms));
    }

    /** PostgreSQL's statement: its 0 means no limit, the Jakarta 0 not to wait, which 1 ms comes closest to. */
    static String postgres(long ms) {
        return "set local lock_timeout = '" + (ms < 0 ? 0 : Math.max(1, ms)) + "ms'";
    }

    /** The property's value in milliseconds (-1: wait without limit); absent, the default. */
    static long millis(Object value) {
        if (value == null) {
            return DEFAULT_MS;
        }
        long ms;
        try {
            ms = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a number of milliseconds, was '" + value + "'");
        }
        if (ms < -1) {
            throw new IllegalArgumentException(PROPERTY + " must be 0 or more milliseconds, or -1 to wait without "
                    + "limit, was " + ms);
        }
        return ms;
    }

    /** Sets the wait for the session's transaction (a no-op where the database's own setting applies). */
    public void apply(SessionImplementor session) {
        if (statement != null) {
            Jdbc.on(session, c -> {
                try (Statement s = c.createStatement()) {
                    s.execute(statement);
                }
                return null;
            });
        }
    }
}
