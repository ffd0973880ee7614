package io.tether.sync.jpa;

import io.tether.sync.jpa.ResyncOrderTest.Book;
import io.tether.sync.jpa.ResyncOrderTest.Bookmark;
import io.tether.sync.jpa.ResyncOrderTest.Shelf;
import io.tether.sync.spi.Role;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivered records that wait for the records they reference ({@code tether_replica_waiting}) are found by the record
 * each awaits: one that arrives releases what waits for it, which in turn releases what waits for that, and a record
 * with two missing references waits for the second once the first is here.
 */
class WaitingChainTest {

    /** A record with two references, to a book and to a shelf. */
    @Entity(name = "Pin")
    @Synced(collection = "pins", scope = "owner_id")
    public static class Pin {
        @Id
        String id;
        @ManyToOne
        Book book;
        @ManyToOne
        Shelf shelf;
        @Column(name = "owner_id")
        String ownerId;
    }

    private EntityManagerFactory emf;
    private JpaReplicaStore store;

    @BeforeEach
    void open() {
        emf = Databases.h2MemoryOf(Shelf.class, Book.class, Bookmark.class, Pin.class);
        store = new JpaReplicaStore(emf);
        store.open(new TestContext(Role.REPLICA));
    }

    @AfterEach
    void close() {
        store.close();
        emf.close();
    }

    private void apply(String collection, String id, Map<String, Object> data, long version) {
        store.inTransaction(tx -> {
            tx.applyRemote(collection, id, data, version);
            return null;
        });
    }

    private long waiting() {
        return Jpa.waiting(emf);
    }

    @Test
    void anArrivalReleasesAChainOfWaitingRecords() {
        apply("bookmarks", "m1", Map.of("id", "m1", "book_id", "b1", "owner_id", "alice"), 3);
        apply("books", "b1", Map.of("id", "b1", "shelf_id", "s1", "title", "T", "owner_id", "alice"), 4);
        assertEquals(2, waiting());
        assertEquals(0, store.count("books") + store.count("bookmarks"));

        apply("shelves", "s1", Map.of("id", "s1", "owner_id", "alice"), 5);
        assertEquals(0, waiting());
        assertEquals(4, store.get("books", "b1").orElseThrow().version());
        assertEquals(3, store.get("bookmarks", "m1").orElseThrow().version());
    }

    @ParameterizedTest(name = "first here: {0}")
    @ValueSource(strings = {"book", "shelf"})
    void aRecordWithTwoMissingReferencesWaitsForTheSecondOnceTheFirstArrives(String first) {
        apply("pins", "p1", Map.of("id", "p1", "book_id", "b1", "shelf_id", "s2", "owner_id", "alice"), 9);
        assertEquals(1, waiting());
        apply("shelves", "s1", Map.of("id", "s1", "owner_id", "alice"), 1);
        if (first.equals("book")) {
            apply("books", "b1", Map.of("id", "b1", "shelf_id", "s1", "title", "T", "owner_id", "alice"), 10);
        } else {
            apply("shelves", "s2", Map.of("id", "s2", "owner_id", "alice"), 10);
        }
        assertTrue(store.get("pins", "p1").isEmpty(), "one reference is still missing");
        assertEquals(1, waiting());

        if (first.equals("book")) {
            apply("shelves", "s2", Map.of("id", "s2", "owner_id", "alice"), 11);
        } else {
            apply("books", "b1", Map.of("id", "b1", "shelf_id", "s1", "title", "T", "owner_id", "alice"), 11);
        }
        assertEquals(0, waiting());
        assertEquals(Map.of("id", "p1", "book_id", "b1", "shelf_id", "s2", "owner_id", "alice"),
                store.get("pins", "p1").orElseThrow().data());
    }

    /** A record kept waiting by an earlier version, without the record it awaits, is still written once that arrives. */
    @Test
    void aRowKeptBeforeTheAwaitedRecordWasKeptIsStillApplied() {
        Jpa.tx(emf, em -> em.createNativeQuery("insert into tether_replica_waiting (collection_name, record_id, version, "
                + "record_data) values ('books', 'b1', 4, '{\"id\":\"b1\",\"shelf_id\":\"s1\",\"title\":\"T\","
                + "\"owner_id\":\"alice\"}')").executeUpdate());
        apply("shelves", "s9", Map.of("id", "s9", "owner_id", "alice"), 5); // not what it awaits: kept with its record
        assertEquals(1, waiting());
        assertEquals(1L, (long) Jpa.call(emf, em -> em.createNativeQuery("select count(*) from tether_replica_waiting "
                + "where awaited_id = 's1'", Long.class).getSingleResult()));
        apply("shelves", "s1", Map.of("id", "s1", "owner_id", "alice"), 6);
        assertEquals(0, waiting());
        assertEquals(4, store.get("books", "b1").orElseThrow().version());
    }
}
