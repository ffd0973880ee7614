package io.tether.sync.jpa.internal;

import io.tether.sync.Operation;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One record's net change within a transaction, merged from the Hibernate events of that record.
 *
 * @param key     the record
 * @param entity  its synced entity type
 * @param op      upsert or delete
 * @param before  the state before the transaction, or null when it did not exist (or is unknown)
 * @param after   the state after; null for a delete
 * @param changed fields changed; null means all (an insert, or an update whose old state is unknown)
 * @param created whether the record was inserted in this transaction
 */
public record CapturedChange(RecordKey key, SyncedEntity entity, Operation op, Map<String, Object> before,
                      Map<String, Object> after, Set<String> changed, boolean created) {

    /** This change followed by {@code next} on the same record; null when they cancel out. */
    CapturedChange then(CapturedChange next) {
        if (next.op == Operation.DELETE) {
            return created ? null : new CapturedChange(key, entity, Operation.DELETE, before, null, null, false);
        }
        if (op == Operation.DELETE || next.created) {
            return new CapturedChange(key, entity, Operation.UPSERT, before, next.after, null, created);
        }
        Set<String> fields = null;
        if (changed != null && next.changed != null) {
            fields = new LinkedHashSet<>(changed);
            fields.addAll(next.changed);
        }
        return new CapturedChange(key, entity, Operation.UPSERT, before, next.after, fields, created);
    }

    /** The changed fields, all of the collection's fields when {@link #changed} is null. */
    Set<String> changedOrAll() {
        if (op == Operation.DELETE) {
            return Set.of();
        }
        return changed != null ? changed : entity.fieldNames();
    }
}
