package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.HubWrite;
import io.tether.sync.spi.LogEntry;
import org.hibernate.engine.spi.SessionImplementor;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One hub store transaction over a Hibernate session. {@link #write} applies a pushed change through the entity,
 * flushes it, then takes the next version under the counter row lock (held until commit, so versions follow
 * commit order) and appends the change-log entry and record metadata on the same connection.
 */
public final class HubWork implements HubTransaction {
    private final EntityRecords records;
    private final HubCapture capture;
    private final HubTables tables;
    private final SessionImplementor session;
    private final ChangeBuffer buffer;
    /** Metadata rows read or written in this transaction (empty: known to have none). */
    private final Map<RecordKey, Optional<HubTables.Meta>> metas = new HashMap<>();

    public HubWork(EntityRecords records, HubCapture capture, SessionImplementor session) {
        this.records = records;
        this.capture = capture;
        this.tables = capture.tables();
        this.session = session;
        this.buffer = records.runtime().buffer(session);
    }

    @Override
    public void prefetch(String collection, Collection<String> ids) {
        if (records.model().forCollection(collection).isEmpty()) {
            return; // an unknown collection is rejected where it is written
        }
        List<String> fresh = ids.stream().distinct().filter(id -> !metas.containsKey(new RecordKey(collection, id)))
                .toList();
        if (fresh.isEmpty()) {
            return;
        }
        Map<String, HubTables.Meta> found = Jdbc.on(session, c -> tables.records(c, collection, fresh));
        for (String id : fresh) {
            metas.put(new RecordKey(collection, id), Optional.ofNullable(found.get(id)));
        }
    }

    private HubTables.Meta meta(String collection, String id) {
        return metas.computeIfAbsent(new RecordKey(collection, id), key -> Optional.ofNullable(
                Jdbc.on(session, c -> tables.records(c, collection, List.of(id))).get(id))).orElse(null);
    }

    @Override
    public Optional<HubRecord> read(String collection, String id) {
        return HubCapture.read(records, session, collection, id, meta(collection, id));
    }

    @Override
    public OptionalLong appliedVersion(String clientId, String changeId) {
        return Jdbc.on(session, c -> tables.appliedVersion(c, clientId, changeId));
    }

    @Override
    public long write(HubWrite write) {
        SyncedEntity entity = records.model().require(write.collection());
        buffer.storeWrite(new RecordKey(write.collection(), write.id()));
        Map<String, Object> before = records.read(session, entity, write.id()).orElse(null);
        if (write.op() == Operation.DELETE) {
            records.remove(session, entity, write.id());
        } else {
            records.write(session, entity, write.id(), write.data());
        }
        session.flush();
        session.clear(); // keeps the persistence context small: every flush dirty-checks all it holds
        long version = Jdbc.on(session, c -> {
            HubTables.Meta old = meta(write.collection(), write.id());
            long v = capture.nextVersion(buffer, c);
            Map<String, FieldStamp> stamps = FieldStamp.advance(old == null ? Map.of() : old.stamps(),
                    write.changedFields(), v, write.hlc());
            HubTables.Meta written = new HubTables.Meta(v, write.scope(), write.hlc(), stamps,
                    write.op() == Operation.DELETE);
            tables.writeRecords(c, List.of(new HubTables.MetaWrite(write.collection(), write.id(), written,
                    old != null)));
            metas.put(new RecordKey(write.collection(), write.id()), Optional.of(written));
            LogEntry entry = new LogEntry(v, write.collection(), write.id(), write.op(), write.data(), write.scope(),
                    Instant.now());
            tables.insertLog(c, List.of(entry));
            buffer.logEntries.add(entry);
            return v;
        });
        buffer.localEvents.add(new ChangeEvent(write.collection(), write.id(), write.op(), before, write.data(),
                write.changedFields(), version));
        return version;
    }

    @Override
    public void recordApplied(String clientId, String changeId, long version) {
        Jdbc.on(session, c -> {
            tables.recordApplied(c, clientId, changeId, version, System.currentTimeMillis());
            return null;
        });
    }
}
