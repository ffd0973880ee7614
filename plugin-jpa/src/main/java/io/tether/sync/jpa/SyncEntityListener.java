package io.tether.sync.jpa;

import io.tether.sync.jpa.internal.CaptureListener;
import jakarta.persistence.PostPersist;
import jakarta.persistence.PostRemove;
import jakarta.persistence.PostUpdate;

/**
 * The JPA entity-listener entry point, for applications that prefer to opt entities in with the standard
 * {@code @EntityListeners(SyncEntityListener.class)} (with or without {@link Synced}, which still names the
 * collection and scope). Captured changes take the same path as those of {@link Synced} entities: the
 * transaction's buffer, the outbox or change log in before-completion, and events after commit.
 *
 * <pre>{@code
 * @Entity
 * @EntityListeners(SyncEntityListener.class)
 * class Note { @Id String id; String text; }
 * }</pre>
 *
 * <p>Stateless; Hibernate calls it on the writing thread, right after Tether's own event listener announced the
 * Hibernate event it belongs to.
 */
public class SyncEntityListener {
    @PostPersist
    public void postPersist(Object entity) {
        CaptureListener.captureAnnounced(entity);
    }

    @PostUpdate
    public void postUpdate(Object entity) {
        CaptureListener.captureAnnounced(entity);
    }

    @PostRemove
    public void postRemove(Object entity) {
        CaptureListener.captureAnnounced(entity);
    }
}
