package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.SyncException;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.StoreContext;
import org.hibernate.engine.spi.SessionImplementor;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A hub's capture: the application's own writes to synced entities get versions from the counter row, taken
 * under its row lock in before-completion (as late as possible, so versions follow commit order), and go into
 * the change log and record metadata in the same transaction. After commit, transactions are published in
 * version order. Thread-safe.
 */
public final class HubCapture implements ChangeSink {
    private volatile StoreContext context;
    private volatile HubTables tables;
    private volatile CommitOrder order;
    private volatile LogNotifications notifications;

    public void open(StoreContext context, EntityRecords records) {
        close();
        LogNotifications n = LogNotifications.start(records.runtime().factory(), context::loggedElsewhere)
                .orElse(null);
        boolean commitSynchronously = records.inTransaction(s -> Jdbc.on(s, c -> {
            PlannerStatistics.check(c, records);
            return DurableCommits.ensure(c);
        }));
        HubTables t = new HubTables(context.json(), records.runtime().factory(), n, commitSynchronously);
        long head = records.inTransaction(s -> Jdbc.on(s, c -> {
            t.ensureState(c);
            return t.head(c);
        }));
        this.order = new CommitOrder(head, 2_000);
        this.tables = t;
        this.notifications = n;
        this.context = context;
    }

    /** Stops listening for other hub nodes' commits. Idempotent. */
    public void close() {
        LogNotifications n = notifications;
        notifications = null;
        if (n != null) {
            n.close();
        }
    }

    public StoreContext context() {
        StoreContext c = context;
        if (c == null) {
            throw new SyncException("A synced entity was written before the JpaHubStore was opened by an engine; "
                    + "build the hub engine before writing synced entities.");
        }
        return c;
    }

    HubTables tables() {
        context();
        return tables;
    }

    /**
     * The next version, under the counter row lock that this transaction then holds until it ends. The counter
     * row is written when the transaction finishes ({@link HubWork#finish()}).
     */
    long nextVersion(ChangeBuffer buffer, Connection c) throws SQLException {
        if (!buffer.counterLocked) {
            buffer.head = tables.lockCounter(c);
            buffer.counterLocked = true;
        }
        return ++buffer.head;
    }

    @Override
    public void write(ChangeBuffer buffer, List<CapturedChange> changes) {
        StoreContext ctx = context();
        Map<String, List<CapturedChange>> byCollection = new LinkedHashMap<>();
        for (CapturedChange change : changes) {
            ReplicaCapture.runHooks(ctx, buffer, change);
            byCollection.computeIfAbsent(change.key().collection(), k -> new ArrayList<>()).add(change);
        }
        List<LogEntry> entries = new ArrayList<>();
        List<ChangeEvent> events = new ArrayList<>();
        Jdbc.on(buffer.session(), c -> {
            Map<String, Map<String, HubTables.Meta>> metas = new LinkedHashMap<>();
            for (var group : byCollection.entrySet()) {
                metas.put(group.getKey(), tables.records(c, group.getKey(),
                        group.getValue().stream().map(ch -> ch.key().id()).toList()));
            }
            // the counter lock comes last: everything above may wait on other rows, this wait serializes commits
            long head = tables.lockCounter(c);
            buffer.counterLocked = true;
            Instant now = Instant.now();
            List<HubTables.MetaWrite> metaWrites = new ArrayList<>();
            for (var group : byCollection.entrySet()) {
                for (CapturedChange change : group.getValue()) {
                    long version = ++head;
                    String hlc = ctx.clock().now();
                    HubTables.Meta old = metas.get(group.getKey()).get(change.key().id());
                    // an existing record keeps its scope (as on MemoryHubStore); a new one takes its scope field
                    String scope = old != null ? old.scope()
                            : change.entity().scopeOf(change.op() == Operation.DELETE ? change.before() : change.after());
                    Set<String> changed = change.changedOrAll();
                    Map<String, FieldStamp> stamps = FieldStamp.advance(old == null ? Map.of() : old.stamps(), changed,
                            version, hlc);
                    metaWrites.add(new HubTables.MetaWrite(group.getKey(), change.key().id(),
                            new HubTables.Meta(version, scope, hlc, stamps, change.op() == Operation.DELETE), old != null));
                    entries.add(new LogEntry(version, group.getKey(), change.key().id(), change.op(), change.after(),
                            scope, now));
                    events.add(new ChangeEvent(group.getKey(), change.key().id(), change.op(), change.before(),
                            change.after(), changed, version));
                }
            }
            tables.setHead(c, head);
            buffer.head = head;
            tables.writeRecords(c, metaWrites);
            tables.insertLog(c, entries);
            return null;
        });
        buffer.logEntries.addAll(entries);
        buffer.localEvents.addAll(events);
    }

    @Override
    public void publish(ChangeBuffer buffer) {
        StoreContext ctx = context;
        if (ctx == null || buffer.logEntries.isEmpty()) {
            return;
        }
        List<LogEntry> entries = List.copyOf(buffer.logEntries);
        List<ChangeEvent> events = List.copyOf(buffer.localEvents);
        // live delivery at once: the engine puts log entries in order, reading the log for versions it lacks
        ctx.logged(entries);
        order.deposit(entries.get(0).version(), entries.get(entries.size() - 1).version(),
                () -> ctx.committed(new ChangeBatch(entries.get(entries.size() - 1).version(), Origin.LOCAL, events)));
    }

    /** A hub record: the entity's state with its metadata, a tombstone, or empty. */
    static Optional<HubRecord> read(EntityRecords records, HubTables tables, SessionImplementor session,
                                    String collection, String id) {
        return read(records, session, collection, id,
                Jdbc.on(session, c -> tables.records(c, collection, List.of(id))).get(id));
    }

    /** A hub record from its metadata row ({@code meta}, null when it has none) and its entity. */
    static Optional<HubRecord> read(EntityRecords records, SessionImplementor session, String collection, String id,
                                    HubTables.Meta meta) {
        SyncedEntity entity = records.model().require(collection);
        Map<String, Object> data = meta != null && meta.deleted() ? null : records.read(session, entity, id).orElse(null);
        if (meta == null) {
            return data == null ? Optional.empty()
                    : Optional.of(new HubRecord(collection, id, data, 0, entity.scopeOf(data), null, Map.of()));
        }
        return Optional.of(new HubRecord(collection, id, data, meta.version(), meta.scope(), meta.hlc(), meta.stamps()));
    }

    /** Reads with a fresh session (for the record queries). */
    public Optional<HubRecord> read(EntityRecords records, String collection, String id) {
        return records.inTransaction(s -> read(records, tables(), s, collection, id));
    }

    public Map<String, Long> versions(SessionImplementor session, String collection, List<String> ids) {
        Map<String, Long> out = new java.util.HashMap<>();
        Jdbc.on(session, c -> tables().records(c, collection, ids)).forEach((id, m) -> out.put(id, m.version()));
        return out;
    }

    public long headVersion(EntityRecords records) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().head(c)));
    }

    public long horizon(EntityRecords records) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().horizon(c)));
    }

    public Optional<Instant> committedAt(EntityRecords records, long version) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().committedMs(c, version))).map(Instant::ofEpochMilli);
    }

    public long lastVersionCommittedBy(EntityRecords records, Instant time) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().lastVersionCommittedBy(c, time.toEpochMilli())));
    }

    public List<LogEntry> changesSince(EntityRecords records, long after, long upTo, int limit, PullFilter filter) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().changesSince(c, after, upTo, limit, filter)));
    }

    public List<LogEntry> snapshot(EntityRecords records, long after, long upTo, int limit, PullFilter filter) {
        return records.inTransaction(s -> Jdbc.on(s, c -> tables().snapshot(c, after, upTo, limit, filter)));
    }

    /**
     * Compacts; returns the (persisted) horizon. Superseded entries and old dedup rows go first, in a transaction that
     * takes no lock a push waits for. Then the metadata rows of the tombstones committed before the cutoff are locked,
     * by collection in name order and by id, then the counter: the order a push takes them, so that a push of a
     * deleted record and a compaction wait for each other instead of deadlocking. A tombstone a push wrote over
     * meanwhile is dropped as superseded, without moving the horizon.
     */
    public long compact(EntityRecords records, Instant cutoff) {
        long cutoffMs = cutoff.toEpochMilli();
        records.inTransaction(s -> Jdbc.on(s, c -> {
            tables().dropSuperseded(c, cutoffMs);
            return null;
        }));
        return records.inTransaction(s -> Jdbc.on(s, c -> {
            Map<String, List<HubTables.Tomb>> tombs = new TreeMap<>();
            for (HubTables.Tomb t : tables().tombs(c, cutoffMs)) {
                tombs.computeIfAbsent(t.collection(), k -> new ArrayList<>()).add(t);
            }
            List<HubTables.Tomb> live = new ArrayList<>();
            List<HubTables.Tomb> superseded = new ArrayList<>();
            for (var group : tombs.entrySet()) {
                Map<String, HubTables.Meta> now = tables().lockRecords(c, group.getKey(),
                        group.getValue().stream().map(HubTables.Tomb::id).toList());
                for (HubTables.Tomb t : group.getValue()) {
                    HubTables.Meta meta = now.get(t.id());
                    (meta != null && meta.deleted() && meta.version() == t.version() ? live : superseded).add(t);
                }
            }
            tables().lockCounter(c);
            long dropped = tables().dropTombs(c, live, superseded);
            long horizon = Math.max(tables().horizon(c), dropped);
            tables().setHorizon(c, horizon);
            return horizon;
        }));
    }
}
