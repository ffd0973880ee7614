package io.tether.sync.jpa;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link ReferencesConvergenceKit} with the hub on PostgreSQL, in a fresh schema; skipped when it is not reachable. */
class PostgresReferencesConvergenceTest extends ReferencesConvergenceKit {
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresReferencesConvergenceTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Override
    String hubUrl() {
        return url;
    }
}
