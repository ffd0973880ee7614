package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncException;
import io.tether.sync.spi.LocalWrite;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;
import org.hibernate.engine.spi.SessionImplementor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's capture: in before-completion, each captured record's net change goes into the outbox with
 * {@link OutboxEntry#capture} (folding into a PENDING entry, queueing behind a SENT one); after commit the
 * transaction's events are published. Thread-safe.
 */
public final class ReplicaCapture implements ChangeSink {
    private final AtomicLong batches = new AtomicLong();
    private volatile StoreContext context;
    private volatile ReplicaTables tables;
    private volatile String clientId;

    /** Becomes usable once the engine opened the store. */
    public void open(StoreContext context, EntityRecords records) {
        this.tables = new ReplicaTables(context.json());
        this.context = context;
    }

    /** Creates the state row with a fresh client id unless it exists (needs no engine yet). */
    public void prepare(EntityRecords records) {
        ReplicaTables plain = new ReplicaTables(null);
        this.clientId = records.inTransaction(s -> Jdbc.on(s, plain::ensureState));
    }

    public String clientId() {
        return clientId;
    }

    public Optional<String> cursor(EntityRecords records) {
        return Optional.ofNullable(records.inTransaction(s -> Jdbc.on(s, tables()::cursor)));
    }

    public List<OutboxEntry> outbox(EntityRecords records, Set<OutboxState> states, int limit) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().outbox(c, states, limit)));
    }

    public long outboxCount(EntityRecords records, Set<OutboxState> states) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().outboxCount(c, states)));
    }

    /** The hub version a record is known at locally (0 when never synced). */
    public long version(SessionImplementor session, String collection, String id) {
        ReplicaTables.Meta meta = Jdbc.on(session, c -> tables().meta(c, collection, List.of(id))).get(id);
        return meta == null ? 0 : meta.version();
    }

    /** Versions of many records of one collection. */
    public Map<String, Long> versions(SessionImplementor session, String collection, List<String> ids) {
        Map<String, Long> out = new java.util.HashMap<>();
        Jdbc.on(session, c -> tables().meta(c, collection, ids)).forEach((id, m) -> out.put(id, m.version()));
        return out;
    }

    public StoreContext context() {
        StoreContext c = context;
        if (c == null) {
            throw new SyncException("A synced entity was written before the JpaReplicaStore was opened by an engine; "
                    + "build and start the replica engine before writing synced entities.");
        }
        return c;
    }

    ReplicaTables tables() {
        context();
        return tables;
    }

    @Override
    public void write(ChangeBuffer buffer, List<CapturedChange> changes) {
        StoreContext ctx = context();
        Map<String, List<CapturedChange>> byCollection = new LinkedHashMap<>();
        for (CapturedChange change : changes) {
            byCollection.computeIfAbsent(change.key().collection(), k -> new ArrayList<>()).add(change);
        }
        List<ChangeEvent> events = new ArrayList<>();
        Jdbc.on(buffer.session(), c -> {
            List<OutboxEntry> inserts = new ArrayList<>();
            List<OutboxEntry> updates = new ArrayList<>();
            List<Long> removals = new ArrayList<>();
            long[] nextSequence = {0};
            int[] left = {0};
            for (var group : byCollection.entrySet()) {
                String collection = group.getKey();
                List<String> ids = group.getValue().stream().map(ch -> ch.key().id()).toList();
                Map<String, ReplicaTables.Meta> meta = tables.meta(c, collection, ids);
                Map<String, List<OutboxEntry>> outbox = tables.outboxHeadersFor(c, collection, ids);
                for (CapturedChange change : group.getValue()) {
                    String id = change.key().id();
                    runHooks(ctx, buffer, change);
                    List<OutboxEntry> entries = outbox.getOrDefault(id, List.of());
                    OutboxEntry pending = OutboxEntry.pendingOf(entries);
                    ReplicaTables.Meta m = meta.get(id);
                    long sequence = 0;
                    if (pending == null) {
                        if (left[0] == 0) {
                            // one block per transaction; sequences left unused are gaps, which are harmless
                            left[0] = changes.size();
                            nextSequence[0] = tables.allocate(c, left[0]);
                        }
                        sequence = nextSequence[0]++;
                        left[0]--;
                    }
                    LocalWrite write = new LocalWrite(collection, id, change.op(), change.before(), change.after(),
                            change.op() == Operation.DELETE ? null : change.changed());
                    // the base is the version local edits build on: |v| (a negative version marks stale data)
                    OutboxEntry next = OutboxEntry.capture(entries, write, clientId, sequence,
                            m == null ? 0 : Math.abs(m.version()), ctx.clock().now());
                    if (next == null) {
                        removals.add(pending.sequence());
                    } else if (pending != null) {
                        updates.add(next);
                    } else {
                        inserts.add(next);
                    }
                    if (m != null && m.deleted() != (change.op() == Operation.DELETE)) {
                        tables.setDeleted(c, collection, id, change.op() == Operation.DELETE);
                    }
                    events.add(new ChangeEvent(collection, id, change.op(), change.before(), change.after(),
                            change.changedOrAll(), 0));
                }
            }
            tables.removeOutbox(c, removals);
            tables.foldOutbox(c, updates);
            tables.insertOutbox(c, inserts);
            return null;
        });
        buffer.localEvents.addAll(events);
    }

    static void runHooks(StoreContext ctx, ChangeBuffer buffer, CapturedChange change) {
        if (buffer.hooksRanFor(change.key())) {
            return;
        }
        Map<String, Object> stored = ctx.beforeStore(new PendingWrite(ctx.role() == null ? Role.REPLICA : ctx.role(),
                change.key().collection(), change.key().id(), change.op(), change.before(), change.after(),
                change.op() == Operation.DELETE ? null : change.changed(), null));
        if (change.op() == Operation.UPSERT && stored != null && !Objects.equals(stored, change.after())) {
            throw new SyncException("A persistence hook changed the data of " + change.key().collection() + "/"
                    + change.key().id() + ", written through Hibernate; hooks may only veto such writes. Change the "
                    + "entity before saving it, or write through the store's put(...), where hooks may transform.");
        }
    }

    @Override
    public void publish(ChangeBuffer buffer) {
        StoreContext ctx = context;
        if (ctx == null) {
            return;
        }
        if (!buffer.remoteEvents.isEmpty()) {
            ctx.committed(new ChangeBatch(batches.incrementAndGet(), Origin.REMOTE, buffer.remoteEvents));
        }
        if (!buffer.localEvents.isEmpty()) {
            ctx.committed(new ChangeBatch(batches.incrementAndGet(), Origin.LOCAL, buffer.localEvents));
        }
    }
}
