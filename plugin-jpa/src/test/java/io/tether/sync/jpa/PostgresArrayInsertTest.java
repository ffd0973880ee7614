package io.tether.sync.jpa;

import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.ScopeSet;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * On PostgreSQL Tether's rows are inserted as one statement with an array per column: texts that the arrays' own
 * syntax gives a meaning to (quotes, braces, commas, backslashes, the word NULL) arrive as they were written, as ids,
 * scopes and data, in the hub's change log and record rows and in a replica's outbox. Skipped when PostgreSQL is not reachable.
 */
class PostgresArrayInsertTest {
    private static final List<String> TEXTS = List.of("NULL", "null", "\"quoted\"", "{a,b}", "back\\slash",
            "comma, then", "line\nbreak", "tab\there", "'single'", "ünïcødé 😀", "  spaces  ", "()");
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresArrayInsertTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Test
    void textsArriveAsWrittenInTheHubsLogAndTheReplicasOutbox() {
        EntityManagerFactory hubDb = Databases.open(url, Action.CREATE);
        try (JpaHubStore hub = new JpaHubStore(hubDb)) {
            hub.open(new TestContext(Role.HUB));
            Jpa.tx(hubDb, em -> {
                for (String text : TEXTS) {
                    em.persist(new Task(text, text, text)); // id, title, and scope
                }
            });
            List<LogEntry> log = hub.changesSince(0, hub.headVersion(), 100,
                    new PullFilter(Map.of("tasks", ScopeSet.ALL)));
            assertEquals(TEXTS, log.stream().map(e -> e.data().get("title")).toList());
            assertEquals(TEXTS, log.stream().map(LogEntry::id).toList());
            assertEquals(TEXTS, log.stream().map(LogEntry::scope).toList());
            assertEquals(TEXTS, TEXTS.stream().map(id -> hub.get("tasks", id).orElseThrow().id()).toList());
        } finally {
            hubDb.close();
        }
        EntityManagerFactory replicaDb = Databases.open(url, Action.CREATE);
        JpaReplicaStore replica = new JpaReplicaStore(replicaDb);
        replica.open(new TestContext(Role.REPLICA));
        try {
            Jpa.tx(replicaDb, em -> {
                for (String text : TEXTS) {
                    em.persist(new Task(text, text, text));
                }
            });
            List<OutboxEntry> outbox = replica.outbox(EnumSet.allOf(OutboxState.class), 100);
            assertEquals(TEXTS, outbox.stream().map(e -> e.data().get("title")).toList());
            assertEquals(TEXTS, outbox.stream().map(OutboxEntry::id).toList());
        } finally {
            replica.close();
            replicaDb.close();
        }
    }
}
