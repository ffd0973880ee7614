package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.ReplicaTransaction;
import org.hibernate.engine.spi.SessionImplementor;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One replica store transaction over a Hibernate session: remote applies go through the entities and are marked
 * as the store's own writes, so they are not captured into the outbox; the cursor and outbox are written with
 * JDBC on the same connection, so all of it commits together.
 */
public final class ReplicaWork implements ReplicaTransaction {
    private final EntityRecords records;
    private final ReplicaTables tables;
    private final SessionImplementor session;
    private final ChangeBuffer buffer;

    public ReplicaWork(EntityRecords records, ReplicaCapture capture, SessionImplementor session) {
        this.records = records;
        this.tables = capture.tables();
        this.session = session;
        this.buffer = records.runtime().buffer(session);
    }

    @Override
    public Optional<LocalRecord> read(String collection, String id) {
        SyncedEntity entity = records.model().require(collection);
        Optional<Map<String, Object>> data = records.read(session, entity, id);
        ReplicaTables.Meta meta = Jdbc.on(session, c -> tables.meta(c, collection, List.of(id))).get(id);
        if (data.isPresent()) {
            return Optional.of(new LocalRecord(collection, id, data.get(), meta == null ? 0 : meta.version()));
        }
        return meta == null ? Optional.empty() : Optional.of(new LocalRecord(collection, id, null, meta.version()));
    }

    @Override
    public List<OutboxEntry> outboxFor(String collection, String id) {
        return Jdbc.on(session, c -> tables.outboxFor(c, collection, List.of(id))).getOrDefault(id, List.of());
    }

    @Override
    public void applyRemote(String collection, String id, Map<String, Object> data, long version) {
        SyncedEntity entity = records.model().require(collection);
        buffer.storeWrite(new RecordKey(collection, id));
        Map<String, Object> before = records.read(session, entity, id).orElse(null);
        if (data == null) {
            records.remove(session, entity, id);
        } else {
            records.write(session, entity, id, data);
        }
        Jdbc.on(session, c -> {
            tables.putMeta(c, collection, id, version, data == null);
            return null;
        });
        Set<String> changed = changedFields(before, data);
        if ((before == null && data == null) || (before != null && data != null && changed.isEmpty())) {
            return; // nothing a listener could see changed
        }
        Operation op = data == null ? Operation.DELETE : Operation.UPSERT;
        buffer.remoteEvents.add(new ChangeEvent(collection, id, op, before, data, changed, version));
    }

    @Override
    public void setVersion(String collection, String id, long version) {
        SyncedEntity entity = records.model().require(collection);
        Jdbc.on(session, c -> {
            ReplicaTables.Meta meta = tables.meta(c, collection, List.of(id)).get(id);
            boolean deleted = meta != null ? meta.deleted() : records.find(session, entity, id) == null;
            tables.putMeta(c, collection, id, version, deleted);
            return null;
        });
    }

    @Override
    public void saveOutbox(OutboxEntry entry) {
        Jdbc.on(session, c -> {
            tables.saveOutbox(c, entry);
            return null;
        });
    }

    @Override
    public void removeOutbox(long sequence) {
        Jdbc.on(session, c -> {
            tables.removeOutbox(c, List.of(sequence));
            return null;
        });
    }

    @Override
    public Optional<String> cursor() {
        return Optional.ofNullable(Jdbc.on(session, tables::cursor));
    }

    @Override
    public void setCursor(String cursor) {
        Jdbc.on(session, c -> {
            tables.setCursor(c, cursor);
            return null;
        });
    }

    @Override
    public void clearSynced() {
        for (SyncedEntity entity : records.model().entities()) {
            String collection = entity.collection();
            Set<String> keep = Jdbc.on(session, c -> tables.idsWithOutbox(c, collection));
            Map<String, Map<String, Object>> live = records.readAll(session, entity);
            Map<String, ReplicaTables.Meta> metas = Jdbc.on(session, c -> tables.allMeta(c, collection));
            Set<String> ids = new java.util.LinkedHashSet<>(live.keySet());
            ids.addAll(metas.keySet());
            for (String id : ids) {
                ReplicaTables.Meta meta = metas.get(id);
                Map<String, Object> data = live.get(id);
                if (keep.contains(id) || (data == null && meta != null && meta.version() < 0)) {
                    continue; // unsynced local changes, or already a stale tombstone
                }
                // a stale tombstone at -|v|: the initial sync that follows restores exactly what the hub has
                long stale = -Math.abs(meta == null ? 0 : meta.version());
                RecordKey key = new RecordKey(collection, id);
                buffer.storeWrite(key);
                if (data != null) {
                    records.remove(session, entity, id);
                    buffer.remoteEvents.add(new ChangeEvent(collection, id, Operation.DELETE, data, null, data.keySet(),
                            stale));
                }
                Jdbc.on(session, c -> {
                    tables.putMeta(c, collection, id, stale, true);
                    return null;
                });
            }
        }
        Jdbc.on(session, c -> {
            tables.setCursor(c, null);
            return null;
        });
    }

    /** Fields whose values differ between two states (every field of the one that exists when the other does not). */
    static Set<String> changedFields(Map<String, Object> before, Map<String, Object> after) {
        if (before == null || after == null) {
            return after == null ? Set.of() : after.keySet();
        }
        Set<String> out = new java.util.LinkedHashSet<>();
        after.forEach((k, v) -> {
            if (!java.util.Objects.equals(before.get(k), v)) {
                out.add(k);
            }
        });
        before.keySet().forEach(k -> {
            if (!after.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }
}
