package io.tether.sync.jpa;

import io.tether.sync.spi.Schema;
import org.hibernate.SharedSessionContract;

/**
 * What both JPA stores offer beyond the SPI: the schema read from the metamodel, and a way to record writes
 * Hibernate does not see.
 *
 * <p>Tether captures every insert, update and delete of a {@link Synced} entity that goes through a Hibernate
 * {@code Session} or {@code StatelessSession}. Bulk JPQL {@code update}/{@code delete} statements and native SQL
 * bypass the entity events; after such a statement, call {@link #recordWrite} for each affected id in the same
 * transaction:
 *
 * <pre>{@code
 * List<String> ids = em.createQuery("select t.id from Task t where t.done", String.class).getResultList();
 * em.createQuery("update Task t set t.archived = true where t.done").executeUpdate();
 * ids.forEach(id -> store.recordWrite(em.unwrap(Session.class), Task.class, id));
 * }</pre>
 */
public sealed interface JpaSyncStore permits JpaReplicaStore, JpaHubStore {

    /** The collections of the {@link Synced} entities, with the configured schema version. */
    Schema schema();

    /**
     * Records that the entity with this id was written by a statement Hibernate did not see. Its current row,
     * read in the session's transaction, is captured as an upsert of all fields, or as a delete when the row is
     * gone. Call it inside the transaction that made the write; it commits (or rolls back) with it.
     *
     * @param session    the session (or stateless session) whose transaction made the write
     * @param entityType a {@link Synced} entity class
     * @param id         the entity id
     * @throws IllegalArgumentException when the class is not a synced entity
     */
    void recordWrite(SharedSessionContract session, Class<?> entityType, Object id);
}
