package io.tether.sync.jpa;

import io.tether.sync.spi.Role;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A hub on PostgreSQL sessions whose {@code synchronous_commit} is off (as a server, database or role may set it)
 * still commits the transactions that move its head synchronously: a trigger on the head's row records the setting
 * in force when the head moves. Skipped when PostgreSQL is not reachable.
 */
class PostgresDurableCommitsTest {
    private static String url;

    @BeforeAll
    static void schema() {
        url = Databases.postgresSchema(PostgresDurableCommitsTest.class);
    }

    @AfterAll
    static void drop() {
        Databases.dropPostgresSchema(url);
    }

    @Test
    void theHubsTransactionsCommitSynchronouslyWhenTheSessionsDefaultIsOff() {
        EntityManagerFactory emf = Databases.open(url + "&options=-c%20synchronous_commit%3Doff", Action.CREATE);
        try (JpaHubStore store = new JpaHubStore(emf)) {
            store.open(new TestContext(Role.HUB));
            Jpa.tx(emf, em -> {
                em.createNativeQuery("create table head_moves (synchronous_commit text)").executeUpdate();
                em.createNativeQuery("create function note_head_move() returns trigger language plpgsql as $$ "
                        + "begin insert into head_moves values (current_setting('synchronous_commit')); return new; "
                        + "end $$").executeUpdate();
                em.createNativeQuery("create trigger head_moved after update on tether_hub_state for each row "
                        + "execute function note_head_move()").executeUpdate();
            });
            assertEquals("off", Jpa.call(emf, em -> em.createNativeQuery("show synchronous_commit").getSingleResult()),
                    "the sessions' default");

            Jpa.tx(emf, em -> em.persist(new Task("t1", "Written on the hub", "alice")));

            assertEquals(List.of("on"), Jpa.call(emf, em -> em.createNativeQuery("select synchronous_commit from "
                    + "head_moves").getResultList()));
            assertEquals(1, store.headVersion());
        } finally {
            emf.close();
        }
    }
}
