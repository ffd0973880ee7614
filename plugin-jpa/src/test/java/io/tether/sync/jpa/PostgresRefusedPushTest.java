package io.tether.sync.jpa;

import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RefusedPushKit} on PostgreSQL, in a fresh schema, with what PostgreSQL alone refuses; skipped when PostgreSQL
 * is not reachable.
 */
class PostgresRefusedPushTest extends RefusedPushKit {
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresRefusedPushTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Override
    String url() {
        return url;
    }

    @Test
    void aNulCharacterInTextIsRejected() {
        PushResult.Rejected r = pushBetweenGoodOnes(upsert("tasks", "nul", task("nul", "before\u0000after")),
                RejectReason.VALIDATION);
        assertTrue(r.message().contains("0x00"), r.message());
    }

    @Test
    void aTimestampBeyondTheDatabaseRangeIsRejected() {
        Map<String, Object> data = task("far", "Far future");
        data.put("due", "+999999999-12-31T23:59:59Z");
        pushBetweenGoodOnes(upsert("tasks", "far", data), RejectReason.VALIDATION);
    }
}
