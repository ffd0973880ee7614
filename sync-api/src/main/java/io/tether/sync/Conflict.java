package io.tether.sync;

import java.util.Map;
import java.util.Set;

/**
 * A conflict waiting in the manual queue: the hub kept its state and the application decides.
 *
 * @param collection  collection name
 * @param id          record id
 * @param changeId    the local change that conflicted
 * @param local       the local state that was pushed, or {@code null} for a local delete
 * @param localFields the fields changed locally
 * @param hub         the hub's current state, or {@code null} when the hub deleted the record
 * @param hubVersion  the hub's current version of the record
 */
public record Conflict(String collection, String id, String changeId, Map<String, Object> local,
                       Set<String> localFields, Map<String, Object> hub, long hubVersion) {
    public Conflict {
        local = Values.copy(local);
        hub = Values.copy(hub);
        localFields = localFields == null ? Set.of() : Set.copyOf(localFields);
    }
}
