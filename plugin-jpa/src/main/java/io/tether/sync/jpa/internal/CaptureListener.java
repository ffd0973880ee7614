package io.tether.sync.jpa.internal;

import io.tether.sync.Operation;
import org.hibernate.event.spi.AbstractPostDatabaseOperationEvent;
import org.hibernate.event.spi.PostDeleteEvent;
import org.hibernate.event.spi.PostDeleteEventListener;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.hibernate.persister.entity.EntityPersister;

import java.util.Map;
import java.util.Set;

/**
 * Hibernate's post-insert, post-update and post-delete events for synced entities, turned into captured changes
 * in the transaction's {@link ChangeBuffer}. For entities that opted in with
 * {@link io.tether.sync.jpa.SyncEntityListener} instead, the event is handed to that JPA callback, which runs
 * right after this listener in the same event, and captured from there.
 */
public final class CaptureListener implements PostInsertEventListener, PostUpdateEventListener,
        PostDeleteEventListener {
    private static final ThreadLocal<Announced> ANNOUNCED = new ThreadLocal<>();

    private final SyncRuntime runtime;

    CaptureListener(SyncRuntime runtime) {
        this.runtime = runtime;
    }

    private record Announced(Object entity, SyncRuntime runtime, SyncedEntity synced,
                             AbstractPostDatabaseOperationEvent event) {
    }

    @Override
    public void onPostInsert(PostInsertEvent event) {
        route(event);
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        route(event);
    }

    @Override
    public void onPostDelete(PostDeleteEvent event) {
        route(event);
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return false;
    }

    private void route(AbstractPostDatabaseOperationEvent event) {
        SyncedEntity synced = runtime.model().forEntityName(event.getPersister().getEntityName());
        if (synced == null) {
            return;
        }
        if (synced.viaEntityListener()) {
            ANNOUNCED.set(new Announced(event.getEntity(), runtime, synced, event));
        } else {
            capture(runtime, synced, event);
        }
    }

    /**
     * Captures the event being dispatched for {@code entity}; called by the JPA entity listener. Returns whether
     * there was one.
     */
    public static boolean captureAnnounced(Object entity) {
        Announced announced = ANNOUNCED.get();
        if (announced == null || announced.entity() != entity) {
            return false;
        }
        ANNOUNCED.remove();
        capture(announced.runtime(), announced.synced(), announced.event());
        return true;
    }

    static void capture(SyncRuntime runtime, SyncedEntity synced, AbstractPostDatabaseOperationEvent event) {
        var session = event.getSession();
        Object id = event.getId();
        RecordKey key = new RecordKey(synced.collection(), synced.recordId(id));
        ChangeBuffer buffer = runtime.buffer(session);
        if (buffer.isStoreWrite(key)) {
            return; // the store's own write (a remote apply, a pushed change) is not captured
        }
        CapturedChange change;
        if (event instanceof PostInsertEvent insert) {
            change = new CapturedChange(key, synced, Operation.UPSERT, null,
                    synced.record(id, insert.getState(), session), null, true);
        } else if (event instanceof PostUpdateEvent update) {
            Object[] old = update.getOldState();
            Map<String, Object> before = old == null ? null : synced.record(id, old, session);
            Set<String> changed = null;
            if (old != null && update.getDirtyProperties() != null) {
                changed = synced.changedFields(update.getDirtyProperties());
                if (changed.isEmpty()) {
                    return; // only unsynced attributes changed
                }
            }
            change = new CapturedChange(key, synced, Operation.UPSERT, before,
                    synced.record(id, update.getState(), session), changed, false);
        } else if (event instanceof PostDeleteEvent delete) {
            Object[] state = delete.getDeletedState();
            change = new CapturedChange(key, synced, Operation.DELETE,
                    state == null ? null : synced.record(id, state, session), null, null, false);
        } else {
            return;
        }
        buffer.capture(change);
    }
}
