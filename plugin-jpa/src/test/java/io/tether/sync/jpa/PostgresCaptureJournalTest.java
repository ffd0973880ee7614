package io.tether.sync.jpa;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link CaptureJournalKit} on PostgreSQL, in a fresh schema; skipped when PostgreSQL is not reachable. */
class PostgresCaptureJournalTest extends CaptureJournalKit {
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresCaptureJournalTest.class);
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
