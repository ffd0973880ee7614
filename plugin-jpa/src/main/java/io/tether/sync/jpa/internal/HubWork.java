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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One hub store transaction over a Hibernate session. {@link #write} applies a pushed change through the entity
 * and takes the next version under the counter row lock (held until commit, so versions follow commit order).
 * The change-log entries, record metadata, dedup rows and head are held back and written on the same connection
 * as JDBC batches when the transaction {@link #finish() finishes}; the entities are flushed at commit, in
 * Hibernate's batches. A failure anywhere rolls all of it back.
 */
public final class HubWork implements HubTransaction {
    private final EntityRecords records;
    private final HubCapture capture;
    private final HubTables tables;
    private final SessionImplementor session;
    private final ChangeBuffer buffer;
    /** Metadata rows read or written in this transaction (empty: known to have none). */
    private final Map<RecordKey, Optional<HubTables.Meta>> metas = new HashMap<>();
    /** Metadata rows to write, the last write of each record. */
    private final Map<RecordKey, HubTables.MetaWrite> heldMeta = new LinkedHashMap<>();
    private final List<LogEntry> heldLog = new ArrayList<>();
    /** Dedup rows to write: the version each change produced. */
    private final Map<HubTables.ChangeKey, Long> heldApplied = new LinkedHashMap<>();
    /** Dedup rows read or written in this transaction (empty: known to have none). */
    private final Map<HubTables.ChangeKey, OptionalLong> applied = new HashMap<>();

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
        records.lock(session, records.model().require(collection), fresh);
        Map<String, HubTables.Meta> found = Jdbc.on(session, c -> tables.lockRecords(c, collection, fresh));
        for (String id : fresh) {
            metas.put(new RecordKey(collection, id), Optional.ofNullable(found.get(id)));
        }
    }

    private HubTables.Meta meta(String collection, String id) {
        return metas.computeIfAbsent(new RecordKey(collection, id), key -> Optional.ofNullable(
                Jdbc.on(session, c -> tables.lockRecords(c, collection, List.of(id))).get(id))).orElse(null);
    }

    @Override
    public Optional<HubRecord> read(String collection, String id) {
        return HubCapture.read(records, session, collection, id, meta(collection, id));
    }

    @Override
    public void prefetchApplied(String clientId, Collection<String> changeIds) {
        List<String> fresh = changeIds.stream().distinct()
                .filter(id -> !applied.containsKey(new HubTables.ChangeKey(clientId, id))).toList();
        if (fresh.isEmpty()) {
            return;
        }
        Map<String, Long> found = Jdbc.on(session, c -> tables.appliedVersions(c, clientId, fresh));
        for (String changeId : fresh) {
            Long version = found.get(changeId);
            applied.put(new HubTables.ChangeKey(clientId, changeId),
                    version == null ? OptionalLong.empty() : OptionalLong.of(version));
        }
    }

    @Override
    public OptionalLong appliedVersion(String clientId, String changeId) {
        HubTables.ChangeKey key = new HubTables.ChangeKey(clientId, changeId);
        if (!applied.containsKey(key)) {
            prefetchApplied(clientId, List.of(changeId));
        }
        return applied.get(key);
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
        HubTables.Meta old = meta(write.collection(), write.id());
        long version = Jdbc.on(session, c -> capture.nextVersion(buffer, c));
        Map<String, FieldStamp> stamps = FieldStamp.advance(old == null ? Map.of() : old.stamps(),
                write.changedFields(), version, write.hlc());
        HubTables.Meta written = new HubTables.Meta(version, write.scope(), write.hlc(), stamps,
                write.op() == Operation.DELETE);
        RecordKey key = new RecordKey(write.collection(), write.id());
        HubTables.MetaWrite earlier = heldMeta.get(key);
        heldMeta.put(key, new HubTables.MetaWrite(write.collection(), write.id(), written,
                earlier != null ? earlier.exists() : old != null));
        metas.put(key, Optional.of(written));
        LogEntry entry = new LogEntry(version, write.collection(), write.id(), write.op(), write.data(), write.scope(),
                Instant.now());
        heldLog.add(entry);
        buffer.logEntries.add(entry);
        buffer.localEvents.add(new ChangeEvent(write.collection(), write.id(), write.op(), before, write.data(),
                write.changedFields(), version));
        return version;
    }

    @Override
    public void recordApplied(String clientId, String changeId, long version) {
        HubTables.ChangeKey key = new HubTables.ChangeKey(clientId, changeId);
        heldApplied.put(key, version);
        applied.put(key, OptionalLong.of(version));
    }

    /** Writes what is held back, and the new head; the store calls this before it commits. */
    public void finish() {
        if (heldLog.isEmpty() && heldMeta.isEmpty() && heldApplied.isEmpty()) {
            return;
        }
        Jdbc.on(session, c -> {
            tables.writeRecords(c, List.copyOf(heldMeta.values()));
            tables.insertLog(c, heldLog);
            tables.recordApplied(c, heldApplied, System.currentTimeMillis());
            if (buffer.counterLocked) {
                tables.setHead(c, buffer.head);
            }
            return null;
        });
        heldMeta.clear();
        heldLog.clear();
        heldApplied.clear();
    }
}
