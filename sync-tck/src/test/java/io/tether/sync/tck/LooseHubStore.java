package io.tether.sync.tck;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncRecord;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Deliberately broken: transactions run concurrently and take their version from a counter when they write, not
 * when they commit, so a transaction holding a low version can commit after one holding a higher version. A pull
 * that read headVersion in between skips the late change. Nor does it isolate them: two that read and rewrite one
 * record at once both commit, and one write is lost. Everything else is done right.
 */
final class LooseHubStore implements HubStore {
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, HubRecord> records = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, LogEntry> log = new ConcurrentSkipListMap<>();
    private final Map<String, Long> dedup = new ConcurrentHashMap<>();
    private volatile long head;
    private volatile long horizon;
    private volatile StoreContext context;

    private static String key(String collection, String id) {
        return collection + "/" + id;
    }

    @Override
    public void open(StoreContext context) {
        this.context = context;
    }

    @Override
    public <T> T inTransaction(Function<HubTransaction, T> work) {
        Tx tx = new Tx();
        T result = work.apply(tx);
        synchronized (this) {
            records.putAll(tx.written);
            tx.entries.forEach(e -> log.put(e.version(), e));
            dedup.putAll(tx.applied);
            tx.entries.forEach(e -> head = Math.max(head, e.version()));
        }
        if (!tx.entries.isEmpty()) {
            context.logged(tx.entries);
            context.committed(new ChangeBatch(tx.entries.get(tx.entries.size() - 1).version(), Origin.LOCAL,
                    tx.events));
        }
        return result;
    }

    private final class Tx implements HubTransaction {
        final Map<String, HubRecord> written = new LinkedHashMap<>();
        final List<LogEntry> entries = new ArrayList<>();
        final List<ChangeEvent> events = new ArrayList<>();
        final Map<String, Long> applied = new HashMap<>();

        @Override
        public Optional<HubRecord> read(String collection, String id) {
            HubRecord mine = written.get(key(collection, id));
            return Optional.ofNullable(mine != null ? mine : records.get(key(collection, id)));
        }

        @Override
        public OptionalLong appliedVersion(String clientId, String changeId) {
            Long v = applied.getOrDefault(clientId + " " + changeId, dedup.get(clientId + " " + changeId));
            return v == null ? OptionalLong.empty() : OptionalLong.of(v);
        }

        @Override
        public long write(HubWrite w) {
            HubRecord old = read(w.collection(), w.id()).orElse(null);
            long version = counter.incrementAndGet();
            written.put(key(w.collection(), w.id()), new HubRecord(w.collection(), w.id(), w.data(), version,
                    w.scope(), w.hlc(), FieldStamp.advance(old == null ? null : old.stamps(), w.changedFields(),
                    version, w.hlc())));
            entries.add(new LogEntry(version, w.collection(), w.id(), w.op(), w.data(), w.scope(), Instant.now()));
            events.add(new ChangeEvent(w.collection(), w.id(), w.op(), old == null ? null : old.data(), w.data(),
                    w.changedFields(), version));
            return version;
        }

        @Override
        public void recordApplied(String clientId, String changeId, long version) {
            applied.put(clientId + " " + changeId, version);
        }
    }

    @Override
    public long headVersion() {
        return head;
    }

    @Override
    public List<LogEntry> changesSince(long after, long upTo, int limit, PullFilter filter) {
        return log.subMap(after, false, upTo, true).values().stream()
                .filter(e -> filter.accepts(e.collection(), e.scope())).limit(limit).toList();
    }

    @Override
    public List<LogEntry> snapshot(long after, long upTo, int limit, PullFilter filter) {
        return log.subMap(after, false, upTo, true).values().stream()
                .map(e -> records.get(key(e.collection(), e.id())))
                .filter(r -> r != null && !r.deleted() && r.version() > after && r.version() <= upTo)
                .filter(r -> filter.accepts(r.collection(), r.scope()))
                .distinct()
                .sorted(Comparator.comparingLong(HubRecord::version))
                .limit(limit)
                .map(r -> new LogEntry(r.version(), r.collection(), r.id(), Operation.UPSERT, r.data(), r.scope(),
                        log.get(r.version()).committedAt()))
                .toList();
    }

    @Override
    public long horizon() {
        return horizon;
    }

    @Override
    public synchronized long compact(Instant cutoff) {
        for (LogEntry e : new ArrayList<>(log.values())) {
            HubRecord r = records.get(key(e.collection(), e.id()));
            if (r == null || r.version() != e.version()) {
                log.remove(e.version());
            } else if (r.deleted() && e.committedAt().isBefore(cutoff)) {
                log.remove(e.version());
                records.remove(key(e.collection(), e.id()));
                horizon = Math.max(horizon, e.version());
            }
        }
        return horizon;
    }

    @Override
    public Optional<SyncRecord> get(String collection, String id) {
        HubRecord r = records.get(key(collection, id));
        return r == null || r.deleted() ? Optional.empty()
                : Optional.of(new SyncRecord(collection, id, r.data(), r.version()));
    }

    @Override
    public List<SyncRecord> list(String collection) {
        return records.values().stream().filter(r -> r.collection().equals(collection) && !r.deleted())
                .sorted(Comparator.comparing(HubRecord::id))
                .map(r -> new SyncRecord(collection, r.id(), r.data(), r.version())).toList();
    }

    @Override
    public void put(String collection, String id, Map<String, Object> data) {
        writeLocal(collection, id, data);
    }

    @Override
    public void delete(String collection, String id) {
        writeLocal(collection, id, null);
    }

    private void writeLocal(String collection, String id, Map<String, Object> data) {
        CollectionSchema schema = context.collection(collection).orElseThrow();
        inTransaction(tx -> {
            HubRecord old = tx.read(collection, id).orElse(null);
            if (data == null && (old == null || old.deleted())) {
                return null;
            }
            String scope = old != null ? old.scope() : schema.scopeField() == null ? ScopePolicy.SHARED
                    : (String) data.get(schema.scopeField());
            Operation op = data == null ? Operation.DELETE : Operation.UPSERT;
            Map<String, Object> after = context.beforeStore(new PendingWrite(Role.HUB, collection, id, op,
                    old == null ? null : old.data(), data, null, null));
            Set<String> changed = after == null ? Set.of() : new TreeSet<>(after.keySet());
            return tx.write(new HubWrite(collection, id, op, after, scope, changed, context.clock().now()));
        });
    }
}
