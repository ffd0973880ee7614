package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.Operation;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.Resolution;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code field-merge}, the default: when both sides are upserts, start from the hub's data and, for each field the
 * client changed (its {@code fields}, or every field of its data; never the id or scope field), take the client's
 * value when the hub did not change that field since the change's base version (no stamp, or
 * {@code stamp.version <= baseVersion}), else when the client's hlc is greater than the field's stamp. {@code Merge}
 * when at least one client field won, else {@code KeepHub}. A delete on either side goes by
 * {@code last-writer-wins} against the record's hlc. Fields are visited in name order, so the result does not
 * depend on the order of {@code fields} or of the data maps.
 */
final class FieldMerge implements ConflictResolver {
    @Override
    public Resolution resolve(ConflictInput input) {
        Change change = input.change();
        HubRecord current = input.current();
        if (change.op() == Operation.DELETE || current.deleted() || change.data() == null) {
            return LastWriterWins.clientIsLater(change.hlc(), current.hlc()) ? Resolution.TAKE_CLIENT
                    : Resolution.KEEP_HUB;
        }
        CollectionSchema schema = input.collection();
        TreeSet<String> clientFields = new TreeSet<>(change.fields() != null ? change.fields()
                : change.data().keySet());
        clientFields.remove(schema.idField());
        if (schema.scopeField() != null) {
            clientFields.remove(schema.scopeField());
        }
        Map<String, Object> merged = new LinkedHashMap<>(current.data());
        boolean clientWon = false;
        for (String field : clientFields) {
            if (!change.data().containsKey(field)) {
                continue; // listed as changed but absent from the data: nothing to take
            }
            FieldStamp stamp = current.stamps().get(field);
            boolean hubUnchanged = stamp == null || stamp.version() <= change.base();
            if (hubUnchanged || LastWriterWins.clientIsLater(change.hlc(), stamp.hlc())) {
                merged.put(field, change.data().get(field));
                clientWon = true;
            }
        }
        return clientWon ? new Resolution.Merge(merged) : Resolution.KEEP_HUB;
    }

    @Override
    public String name() {
        return ConflictPolicy.FIELD_MERGE.wireName();
    }
}
