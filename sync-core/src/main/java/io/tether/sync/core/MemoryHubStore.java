package io.tether.sync.core;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncRecord;
import io.tether.sync.core.internal.RecordDiff;
import io.tether.sync.core.internal.RecordKey;
import io.tether.sync.core.internal.SerialTransactions;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.HubWrite;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.ScopePolicy;
import io.tether.sync.spi.StoreContext;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A hub store in memory. Transactions are serialized (one writer at a time) and buffered, so a failing
 * transaction leaves nothing behind; versions are assigned in commit order by construction. Committed batches are
 * published in commit order. Thread-safe.
 */
public final class MemoryHubStore implements HubStore {
    private final SerialTransactions transactions = new SerialTransactions();
    private final Clock clock;
    private final Map<RecordKey, HubRecord> records = new HashMap<>();
    private final TreeMap<Long, LogEntry> log = new TreeMap<>();
    private final Map<String, Applied> dedup = new HashMap<>();
    private volatile long head;
    private volatile long horizon;
    private volatile StoreContext context;

    private record Applied(long version, Instant at) {
    }

    MemoryHubStore() {
        this(Clock.systemUTC());
    }

    /** A store that reads commit times from {@code clock} (for retention tests). */
    public MemoryHubStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void open(StoreContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    private StoreContext context() {
        StoreContext c = context;
        if (c == null) {
            throw new IllegalStateException("MemoryHubStore is not open: build a hub engine with it first");
        }
        return c;
    }

    @Override
    public <T> T inTransaction(Function<HubTransaction, T> work) {
        return transactions.run(Tx::new, work);
    }

    private final class Tx implements HubTransaction, SerialTransactions.Staged {
        private final Map<RecordKey, HubRecord> written = new LinkedHashMap<>();
        private final Map<RecordKey, Map<String, Object>> before = new HashMap<>();
        private final List<LogEntry> entries = new ArrayList<>();
        private final List<ChangeEvent> events = new ArrayList<>();
        private final Map<String, Long> applied = new HashMap<>();
        private long nextVersion = head;
        private boolean closed;

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("transaction already ended");
            }
        }

        @Override
        public Optional<HubRecord> read(String collection, String id) {
            checkOpen();
            RecordKey key = new RecordKey(collection, id);
            HubRecord r = written.get(key);
            return Optional.ofNullable(r != null ? r : records.get(key));
        }

        @Override
        public OptionalLong appliedVersion(String clientId, String changeId) {
            checkOpen();
            String key = dedupKey(clientId, changeId);
            Long v = applied.get(key);
            if (v != null) {
                return OptionalLong.of(v);
            }
            Applied a = dedup.get(key);
            return a == null ? OptionalLong.empty() : OptionalLong.of(a.version);
        }

        @Override
        public long write(HubWrite w) {
            checkOpen();
            RecordKey key = new RecordKey(w.collection(), w.id());
            HubRecord old = read(w.collection(), w.id()).orElse(null);
            long version = ++nextVersion;
            HubRecord next = new HubRecord(w.collection(), w.id(), w.data(), version, w.scope(), w.hlc(),
                    FieldStamp.advance(old == null ? null : old.stamps(), w.changedFields(), version, w.hlc()));
            before.putIfAbsent(key, old == null ? null : old.data());
            written.put(key, next);
            entries.add(new LogEntry(version, w.collection(), w.id(), w.op(), w.data(), w.scope(), clock.instant()));
            events.add(new ChangeEvent(w.collection(), w.id(), w.op(), old == null ? null : old.data(), w.data(),
                    w.changedFields(), version));
            return version;
        }

        @Override
        public void recordApplied(String clientId, String changeId, long version) {
            checkOpen();
            applied.put(dedupKey(clientId, changeId), version);
        }

        @Override
        public void end() {
            closed = true;
        }

        @Override
        public void commit() {
            records.putAll(written);
            for (LogEntry e : entries) {
                log.put(e.version(), e);
            }
            Instant now = clock.instant();
            applied.forEach((k, v) -> dedup.put(k, new Applied(v, now)));
            head = nextVersion;
        }

        @Override
        public void publish() {
            StoreContext c = context;
            if (c == null || entries.isEmpty()) {
                return;
            }
            c.logged(List.copyOf(entries));
            c.committed(new ChangeBatch(entries.get(entries.size() - 1).version(), Origin.LOCAL, events));
        }
    }

    private static String dedupKey(String clientId, String changeId) {
        return clientId + '\u0000' + changeId;
    }

    @Override
    public long headVersion() {
        return head;
    }

    @Override
    public List<LogEntry> changesSince(long after, long upTo, int limit, PullFilter filter) {
        return transactions.read(() -> {
            List<LogEntry> out = new ArrayList<>(Math.min(limit, 1024));
            for (LogEntry e : log.subMap(after, false, upTo, true).values()) {
                if (filter.accepts(e.collection(), e.scope())) {
                    out.add(e);
                    if (out.size() >= limit) {
                        break;
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<LogEntry> snapshot(long after, long upTo, int limit, PullFilter filter) {
        return transactions.read(() -> {
            List<LogEntry> out = new ArrayList<>(Math.min(limit, 1024));
            for (LogEntry e : log.subMap(after, false, upTo, true).values()) {
                HubRecord r = records.get(new RecordKey(e.collection(), e.id()));
                if (r != null && r.version() == e.version() && !r.deleted()
                        && filter.accepts(e.collection(), r.scope())) {
                    out.add(new LogEntry(r.version(), r.collection(), r.id(), Operation.UPSERT, r.data(), r.scope(),
                            e.committedAt()));
                    if (out.size() >= limit) {
                        break;
                    }
                }
            }
            return out;
        });
    }

    @Override
    public long horizon() {
        return horizon;
    }

    @Override
    public Optional<Instant> committedAt(long version) {
        return transactions.read(() -> Optional.ofNullable(log.get(version)).map(LogEntry::committedAt));
    }

    @Override
    public long lastVersionCommittedBy(Instant time) {
        return transactions.read(() -> {
            for (LogEntry e : log.descendingMap().values()) {
                if (e.committedAt().toEpochMilli() <= time.toEpochMilli()) {
                    return e.version();
                }
            }
            return 0L;
        });
    }

    @Override
    public long compact(Instant cutoff) {
        return transactions.maintain(() -> {
            Iterator<LogEntry> it = log.values().iterator();
            while (it.hasNext()) {
                LogEntry e = it.next();
                RecordKey key = new RecordKey(e.collection(), e.id());
                HubRecord r = records.get(key);
                if (r == null || r.version() != e.version()) {
                    it.remove();
                } else if (r.deleted() && e.committedAt().isBefore(cutoff)) {
                    it.remove();
                    records.remove(key);
                    horizon = Math.max(horizon, e.version());
                }
            }
            dedup.values().removeIf(a -> a.at.isBefore(cutoff));
            return horizon;
        });
    }

    // ---- RecordQuery

    @Override
    public Optional<SyncRecord> get(String collection, String id) {
        return transactions.read(() -> {
            HubRecord r = records.get(new RecordKey(collection, id));
            return r == null || r.deleted() ? Optional.empty()
                    : Optional.of(new SyncRecord(collection, id, r.data(), r.version()));
        });
    }

    @Override
    public List<SyncRecord> list(String collection) {
        return transactions.read(() -> {
            return records.values().stream()
                    .filter(r -> r.collection().equals(collection) && !r.deleted())
                    .sorted(Comparator.comparing(HubRecord::id))
                    .map(r -> new SyncRecord(collection, r.id(), r.data(), r.version()))
                    .toList();
        });
    }

    // ---- RecordWriter: the application's own writes on the hub

    @Override
    public void put(String collection, String id, Map<String, Object> data) {
        Objects.requireNonNull(data, "data");
        writeLocal(collection, id, Operation.UPSERT, data);
    }

    @Override
    public void delete(String collection, String id) {
        writeLocal(collection, id, Operation.DELETE, null);
    }

    private void writeLocal(String collection, String id, Operation op, Map<String, Object> data) {
        StoreContext c = context();
        CollectionSchema schema = c.collection(collection).orElseThrow(
                () -> new IllegalArgumentException("unknown collection '" + collection + "'"));
        Objects.requireNonNull(id, "id");
        inTransaction(tx -> {
            HubRecord old = tx.read(collection, id).orElse(null);
            if (op == Operation.DELETE && (old == null || old.deleted())) {
                return null;
            }
            Map<String, Object> after = data == null ? null : new LinkedHashMap<>(data);
            String scope = old != null ? old.scope() : scopeOf(schema, after);
            if (after != null) {
                after.put(schema.idField(), id);
                if (schema.scopeField() != null) {
                    after.put(schema.scopeField(), scope);
                }
            }
            Map<String, Object> before = old == null ? null : old.data();
            after = c.beforeStore(new PendingWrite(Role.HUB, collection, id, op, before, after,
                    RecordDiff.changedFields(before, after), null));
            tx.write(new HubWrite(collection, id, op, after, scope, RecordDiff.changedFields(before, after),
                    c.clock().now()));
            return null;
        });
    }

    private static String scopeOf(CollectionSchema schema, Map<String, Object> data) {
        if (schema.scopeField() == null) {
            return ScopePolicy.SHARED;
        }
        Object scope = data == null ? null : data.get(schema.scopeField());
        if (!(scope instanceof String s)) {
            throw new IllegalArgumentException("a new '" + schema.name() + "' record needs its scope field '"
                    + schema.scopeField() + "' set to a string");
        }
        return s;
    }
}
