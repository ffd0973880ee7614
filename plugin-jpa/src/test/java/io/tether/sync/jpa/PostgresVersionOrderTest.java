package io.tether.sync.jpa;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link VersionOrderKit} on PostgreSQL, in a fresh schema; skipped when PostgreSQL is not reachable. */
class PostgresVersionOrderTest extends VersionOrderKit {
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresVersionOrderTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Override
    String url() {
        return url;
    }
}
