package io.tether.sync.jpa;

import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.Role;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resync removes the records the hub no longer has; one that another record references by foreign key must go
 * after it, whatever order Hibernate lists the entities in.
 */
class ResyncOrderTest {

    @Entity(name = "Shelf")
    @Synced(collection = "shelves", scope = "owner_id")
    public static class Shelf {
        @Id
        String id;
        @Column(name = "owner_id")
        String ownerId;
    }

    @Entity(name = "Book")
    @Synced(collection = "books", scope = "owner_id")
    public static class Book {
        @Id
        String id;
        @ManyToOne
        Shelf shelf;
        String title;
        @Column(name = "owner_id")
        String ownerId;
    }

    @Entity(name = "Bookmark")
    @Synced(collection = "bookmarks", scope = "owner_id")
    public static class Bookmark {
        @Id
        String id;
        @ManyToOne
        Book book;
        @Column(name = "owner_id")
        String ownerId;
    }

    private EntityManagerFactory emf;
    private JpaReplicaStore store;

    @BeforeEach
    void open() {
        emf = Databases.h2MemoryOf(Shelf.class, Book.class, Bookmark.class);
        store = new JpaReplicaStore(emf);
        store.open(new TestContext(Role.REPLICA));
    }

    @AfterEach
    void close() {
        store.close();
        emf.close();
    }

    @Test
    void aResyncRemovesReferencingRecordsFirst() {
        List<String> listed = store.schema().collections().stream().map(CollectionSchema::name).toList();
        assertNotEquals(List.of("bookmarks", "books", "shelves"), listed, "the fixture must list a referenced "
                + "entity before one that references it, or it tests nothing");
        store.inTransaction(tx -> {
            tx.applyRemote("shelves", "s1", Map.of("id", "s1", "owner_id", "alice"), 1);
            tx.applyRemote("books", "b1", Map.of("id", "b1", "shelf_id", "s1", "owner_id", "alice"), 2);
            tx.applyRemote("bookmarks", "m1", Map.of("id", "m1", "book_id", "b1", "owner_id", "alice"), 3);
            tx.setCursor("c-3");
            return null;
        });
        store.inTransaction(tx -> {
            tx.beginResync(); // the hub has none of them any more: no page refreshes them
            return null;
        });
        int removed = 0;
        for (int n; (n = store.inTransaction(tx -> tx.finishResync(1))) > 0; ) {
            removed += n;
        }
        assertEquals(3, removed);
        for (String collection : List.of("shelves", "books", "bookmarks")) {
            assertEquals(0, store.count(collection), collection);
        }
        assertTrue(store.inTransaction(tx -> tx.read("shelves", "s1")).orElseThrow().deleted());
    }

    @Test
    void aRecordThatAKeptRecordReferencesStaysUntilAResyncFindsItFree() {
        store.inTransaction(tx -> {
            tx.applyRemote("shelves", "s1", Map.of("id", "s1", "owner_id", "alice"), 1);
            tx.applyRemote("books", "b1", Map.of("id", "b1", "shelf_id", "s1", "title", "T", "owner_id",
                    "alice"), 2);
            return null;
        });
        Jpa.tx(emf, em -> em.find(Book.class, "b1").title = "Edited here");
        store.inTransaction(tx -> {
            tx.applyRemote("shelves", "s1", null, 3); // the hub deleted the shelf
            return null;
        });
        LocalRecord shelf = store.inTransaction(tx -> tx.read("shelves", "s1")).orElseThrow();
        assertTrue(!shelf.deleted() && shelf.version() == -3, "kept, stale at the delete's version: " + shelf);

        store.inTransaction(tx -> {
            tx.beginResync();
            return null;
        });
        int calls = 0;
        while (store.inTransaction(tx -> tx.finishResync(1)) > 0) {
            assertTrue(++calls < 10, "a removal kept back is not tried again and again");
        }
        assertTrue(store.get("shelves", "s1").isPresent(), "still referenced by the edited book: kept");

        Jpa.tx(emf, em -> em.remove(em.find(Book.class, "b1")));
        store.inTransaction(tx -> {
            tx.removeOutbox(tx.outboxFor("books", "b1").get(0).sequence()); // as if pushed and settled
            tx.applyRemote("books", "b1", null, 4);
            tx.beginResync();
            return null;
        });
        while (store.inTransaction(tx -> tx.finishResync(1)) > 0) {
            assertTrue(++calls < 10);
        }
        assertTrue(store.get("shelves", "s1").isEmpty(), "nothing references it now: removed");
    }
}
