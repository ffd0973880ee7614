package io.tether.sync.core;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncRecord;
import io.tether.sync.core.internal.RecordDiff;
import io.tether.sync.core.internal.RecordKey;
import io.tether.sync.core.internal.SerialTransactions;
import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.LocalWrite;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A replica store in memory: records with their hub versions, the outbox and the cursor. Transactions are
 * serialized and buffered, so a failing one leaves nothing behind. Local writes go through {@link #put} and
 * {@link #delete}. Thread-safe.
 */
public final class MemoryReplicaStore implements ReplicaStore {
    private static final AtomicLong BATCHES = new AtomicLong();
    private static final TreeMap<Long, OutboxEntry> EMPTY = new TreeMap<>();

    private final SerialTransactions transactions = new SerialTransactions();
    private final String clientId;
    private final Map<RecordKey, LocalRecord> records = new HashMap<>();
    private final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
    private final Map<RecordKey, TreeMap<Long, OutboxEntry>> outboxByRecord = new HashMap<>();
    private String cursor;
    /** Whether a resync began and has not been finished (see {@link ReplicaTransaction#beginResync}). */
    private boolean resyncing;
    private long sequence;
    private volatile StoreContext context;

    MemoryReplicaStore(String clientId) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
    }

    @Override
    public void open(StoreContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    private StoreContext context() {
        StoreContext c = context;
        if (c == null) {
            throw new IllegalStateException("MemoryReplicaStore is not open: build a replica engine with it first");
        }
        return c;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public <T> T inTransaction(Function<ReplicaTransaction, T> work) {
        return transactions.run(() -> new Tx(Origin.REMOTE), work);
    }

    private final class Tx implements ReplicaTransaction, SerialTransactions.Staged {
        private final Map<RecordKey, LocalRecord> written = new LinkedHashMap<>();
        private final Map<RecordKey, Map<String, Object>> before = new LinkedHashMap<>();
        private final Map<RecordKey, Set<String>> changed = new HashMap<>();
        private final TreeMap<Long, OutboxEntry> outboxWrites = new TreeMap<>();
        private final Map<RecordKey, TreeMap<Long, OutboxEntry>> writesByRecord = new HashMap<>();
        private final Set<Long> outboxRemoved = new java.util.HashSet<>();
        private String newCursor;
        private boolean cursorSet;
        /** This transaction's change to the resync flag, or null. */
        private Boolean newResyncing;
        private final Origin origin;
        private long nextSequence = sequence;
        private boolean closed;

        Tx(Origin origin) {
            this.origin = origin;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("transaction already ended");
            }
        }

        @Override
        public Optional<LocalRecord> read(String collection, String id) {
            checkOpen();
            RecordKey key = new RecordKey(collection, id);
            if (written.containsKey(key)) {
                return Optional.ofNullable(written.get(key));
            }
            return Optional.ofNullable(records.get(key));
        }

        private List<OutboxEntry> outboxForKey(RecordKey key) {
            TreeMap<Long, OutboxEntry> view = new TreeMap<>();
            outboxByRecord.getOrDefault(key, EMPTY).forEach((seq, e) -> {
                if (!outboxRemoved.contains(seq)) {
                    view.put(seq, e);
                }
            });
            view.putAll(writesByRecord.getOrDefault(key, EMPTY));
            return new ArrayList<>(view.values());
        }

        @Override
        public List<OutboxEntry> outboxFor(String collection, String id) {
            checkOpen();
            return outboxForKey(new RecordKey(collection, id));
        }

        private void put(RecordKey key, LocalRecord next, Set<String> fields) {
            LocalRecord old = read(key.collection(), key.id()).orElse(null);
            before.putIfAbsent(key, old == null ? null : old.data());
            written.put(key, next);
            changed.merge(key, fields == null ? Set.of() : fields, (a, b) -> {
                Set<String> u = new java.util.TreeSet<>(a);
                u.addAll(b);
                return u;
            });
        }

        @Override
        public void applyRemote(String collection, String id, Map<String, Object> data, long version) {
            checkOpen();
            RecordKey key = new RecordKey(collection, id);
            LocalRecord old = read(collection, id).orElse(null);
            put(key, new LocalRecord(collection, id, data, version),
                    RecordDiff.changedFields(old == null ? null : old.data(), data));
        }

        @Override
        public void setVersion(String collection, String id, long version) {
            checkOpen();
            RecordKey key = new RecordKey(collection, id);
            LocalRecord old = read(collection, id).orElse(null);
            LocalRecord next = new LocalRecord(collection, id, old == null ? null : old.data(), version);
            before.putIfAbsent(key, old == null ? null : old.data());
            written.put(key, next);
        }

        @Override
        public void saveOutbox(OutboxEntry entry) {
            checkOpen();
            outboxRemoved.remove(entry.sequence());
            outboxWrites.put(entry.sequence(), entry);
            writesByRecord.computeIfAbsent(new RecordKey(entry.collection(), entry.id()), k -> new TreeMap<>())
                    .put(entry.sequence(), entry);
            nextSequence = Math.max(nextSequence, entry.sequence());
        }

        @Override
        public void removeOutbox(long sequence) {
            checkOpen();
            OutboxEntry written = outboxWrites.remove(sequence);
            if (written != null) {
                writesByRecord.get(new RecordKey(written.collection(), written.id())).remove(sequence);
            }
            outboxRemoved.add(sequence);
        }

        @Override
        public Optional<String> cursor() {
            checkOpen();
            return Optional.ofNullable(cursorSet ? newCursor : cursor);
        }

        @Override
        public void setCursor(String value) {
            checkOpen();
            newCursor = value;
            cursorSet = true;
        }

        @Override
        public void beginResync() {
            checkOpen();
            for (RecordKey key : keys()) {
                LocalRecord r = read(key.collection(), key.id()).orElse(null);
                if (r != null && r.version() > 0 && outboxForKey(key).isEmpty()) {
                    put(key, new LocalRecord(key.collection(), key.id(), r.data(), -r.version()), Set.of());
                }
            }
            setCursor(null);
            newResyncing = true;
        }

        @Override
        public int finishResync(int max) {
            checkOpen();
            if (max < 1) {
                throw new IllegalArgumentException("max must be positive, was " + max);
            }
            if (!(newResyncing != null ? newResyncing : resyncing)) {
                return 0;
            }
            int removed = 0;
            for (RecordKey key : keys()) {
                LocalRecord r = read(key.collection(), key.id()).orElse(null);
                if (r == null || r.deleted() || r.version() > 0 || !outboxForKey(key).isEmpty()) {
                    continue;
                }
                if (removed == max) {
                    return removed; // more are left: the resync goes on
                }
                put(key, new LocalRecord(key.collection(), key.id(), null, -r.baseVersion()),
                        RecordDiff.changedFields(r.data(), null));
                removed++;
            }
            newResyncing = false;
            return removed;
        }

        @Override
        public int queueAgain(long version, String hlc, int max) {
            checkOpen();
            if (version < 0 || max < 1) {
                throw new IllegalArgumentException("version must not be negative and max positive, were " + version
                        + " and " + max);
            }
            int queued = 0;
            for (RecordKey key : keys()) {
                if (queued == max) {
                    break;
                }
                LocalRecord r = read(key.collection(), key.id()).orElseThrow();
                if (r.baseVersion() <= version || !outboxForKey(key).isEmpty()) {
                    continue;
                }
                saveOutbox(OutboxEntry.pushAgain(r, clientId, allocateSequence(), version, hlc));
                queued++;
            }
            return queued;
        }

        /** Every record this transaction sees, in a stable order. */
        private Set<RecordKey> keys() {
            Set<RecordKey> keys = new TreeSet<>(records.keySet());
            keys.addAll(written.keySet());
            return keys;
        }

        long allocateSequence() {
            return ++nextSequence;
        }

        @Override
        public void end() {
            closed = true;
        }

        @Override
        public void commit() {
            records.putAll(written);
            for (Long seq : outboxRemoved) {
                OutboxEntry gone = outbox.remove(seq);
                if (gone != null) {
                    RecordKey key = new RecordKey(gone.collection(), gone.id());
                    TreeMap<Long, OutboxEntry> entries = outboxByRecord.get(key);
                    entries.remove(seq);
                    if (entries.isEmpty()) {
                        outboxByRecord.remove(key);
                    }
                }
            }
            outbox.putAll(outboxWrites);
            outboxWrites.values().forEach(e -> outboxByRecord
                    .computeIfAbsent(new RecordKey(e.collection(), e.id()), k -> new TreeMap<>()).put(e.sequence(), e));
            if (cursorSet) {
                cursor = newCursor;
            }
            if (newResyncing != null) {
                resyncing = newResyncing;
            }
            sequence = nextSequence;
        }

        @Override
        public void publish() {
            StoreContext c = context;
            if (c == null) {
                return;
            }
            List<ChangeEvent> events = new ArrayList<>();
            written.forEach((key, r) -> {
                Map<String, Object> old = before.get(key);
                if (old == null && r.data() == null) {
                    return;
                }
                Set<String> fields = changed.getOrDefault(key, Set.of());
                if (old != null && r.data() != null && fields.isEmpty()) {
                    return;
                }
                events.add(new ChangeEvent(key.collection(), key.id(),
                        r.data() == null ? Operation.DELETE : Operation.UPSERT, old, r.data(), fields,
                        origin == Origin.LOCAL ? 0 : r.baseVersion()));
            });
            if (!events.isEmpty()) {
                c.committed(new ChangeBatch(BATCHES.incrementAndGet(), origin, events));
            }
        }
    }

    @Override
    public Optional<String> cursor() {
        return transactions.read(() -> {
            return Optional.ofNullable(cursor);
        });
    }

    @Override
    public List<OutboxEntry> outbox(Set<OutboxState> states, int limit) {
        return outbox(states, Long.MIN_VALUE, limit);
    }

    @Override
    public List<OutboxEntry> outbox(Set<OutboxState> states, long afterSequence, int limit) {
        return transactions.read(() -> {
            List<OutboxEntry> out = new ArrayList<>();
            for (OutboxEntry e : outbox.tailMap(afterSequence, false).values()) {
                if (out.size() >= limit) {
                    break;
                }
                if (states.contains(e.state())) {
                    out.add(e);
                }
            }
            return out;
        });
    }

    @Override
    public long outboxCount(Set<OutboxState> states) {
        return transactions.read(() -> {
            return outbox.values().stream().filter(e -> states.contains(e.state())).count();
        });
    }

    // ---- RecordQuery

    @Override
    public Optional<SyncRecord> get(String collection, String id) {
        return transactions.read(() -> {
            LocalRecord r = records.get(new RecordKey(collection, id));
            return r == null || r.deleted() ? Optional.empty()
                    : Optional.of(new SyncRecord(collection, id, r.data(), r.baseVersion()));
        });
    }

    @Override
    public List<SyncRecord> list(String collection) {
        return transactions.read(() -> {
            return records.values().stream()
                    .filter(r -> r.collection().equals(collection) && !r.deleted())
                    .sorted(Comparator.comparing(LocalRecord::id))
                    .map(r -> new SyncRecord(collection, r.id(), r.data(), r.baseVersion()))
                    .toList();
        });
    }

    // ---- RecordWriter: local writes, captured into the outbox

    @Override
    public void put(String collection, String id, Map<String, Object> data) {
        Objects.requireNonNull(data, "data");
        write(collection, id, Operation.UPSERT, data);
    }

    @Override
    public void delete(String collection, String id) {
        write(collection, id, Operation.DELETE, null);
    }

    private void write(String collection, String id, Operation op, Map<String, Object> data) {
        StoreContext c = context();
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        c.collection(collection).ifPresent(schema -> {
            if (data != null && data.containsKey(schema.idField()) && !id.equals(data.get(schema.idField()))) {
                throw new IllegalArgumentException("id field '" + schema.idField() + "' is '"
                        + data.get(schema.idField()) + "', not '" + id + "'");
            }
        });
        transactions.run(() -> new Tx(Origin.LOCAL), tx -> {
            RecordKey key = new RecordKey(collection, id);
            LocalRecord old = tx.read(collection, id).orElse(null);
            Map<String, Object> before = old == null ? null : old.data();
            if (op == Operation.DELETE && before == null) {
                return null;
            }
            Map<String, Object> after = data;
            if (after != null) {
                after = c.beforeStore(new PendingWrite(Role.REPLICA, collection, id, op, before, after,
                        before == null ? null : RecordDiff.changedFields(before, after), null));
            }
            Set<String> fields = before == null || after == null ? null : RecordDiff.changedFields(before, after);
            if (fields != null && fields.isEmpty()) {
                return null;
            }
            if (op == Operation.DELETE) {
                c.beforeStore(new PendingWrite(Role.REPLICA, collection, id, op, before, null, null, null));
            }
            LocalWrite write = new LocalWrite(collection, id, op, before, after, fields);
            List<OutboxEntry> entries = tx.outboxForKey(key);
            OutboxEntry pending = OutboxEntry.pendingOf(entries);
            long base = old == null ? 0 : old.baseVersion();
            OutboxEntry entry = OutboxEntry.capture(entries, write, clientId,
                    pending == null ? tx.allocateSequence() : 0, base, c.clock().now());
            if (entry == null) {
                tx.removeOutbox(pending.sequence());
            } else {
                tx.saveOutbox(entry);
            }
            tx.put(key, new LocalRecord(collection, id, after, old == null ? 0 : old.version()), fields == null
                    ? RecordDiff.changedFields(before, after) : fields);
            return null;
        });
    }
}
