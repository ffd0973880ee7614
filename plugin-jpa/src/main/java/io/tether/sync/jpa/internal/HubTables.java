package io.tether.sync.jpa.internal;

import io.tether.sync.Operation;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.RejectReason;
import io.tether.sync.spi.StoreContext;
import io.tether.sync.spi.WriteRefusedException;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;

import static io.tether.sync.jpa.internal.RowInsert.SqlType.BIGINT;
import static io.tether.sync.jpa.internal.RowInsert.SqlType.BOOLEAN;
import static io.tether.sync.jpa.internal.RowInsert.SqlType.VARCHAR;

/** JDBC access to a hub's tables: record metadata, the change log, dedup, and the counter row. */
final class HubTables {
    private static final String LOG_COLUMNS = "version, collection_name, record_id, op, record_data, scope_value, committed_ms";

    private final StoreContext.JsonText json;
    private final KeyLookup keys;
    private final KeyLookup changes;
    /** How rows are inserted ({@link RowInsert.Form}). */
    private final RowInsert.Form insertForm;
    /** Whether log reads tell the database how many rows they read ({@link Jdbc#takesLimit}). */
    private final boolean takesLimit;
    /** Tells other hub nodes over the same database when the head moves (PostgreSQL), or null. */
    private final LogNotifications notifications;
    /** Whether each transaction that moves the head asks for a synchronous commit ({@link DurableCommits}). */
    private final boolean commitSynchronously;

    HubTables(StoreContext.JsonText json, SessionFactoryImplementor factory, LogNotifications notifications,
              boolean commitSynchronously) {
        this.json = json;
        this.keys = KeyLookup.records(factory);
        this.changes = KeyLookup.changes(factory);
        this.insertForm = RowInsert.Form.of(factory);
        this.takesLimit = Jdbc.takesLimit(factory);
        this.notifications = notifications;
        this.commitSynchronously = commitSynchronously;
    }

    /** A record's hub metadata. */
    record Meta(long version, String scope, String hlc, Map<String, FieldStamp> stamps, boolean deleted) {
        /**
         * The stamps as the {@code stamps} column keeps them: relative to the record's last write, which the row
         * keeps in its {@code version} and {@code hlc} (a field that write stamped costs its name only).
         */
        String storedStamps() {
            return FieldStamp.encode(stamps, new FieldStamp(version, hlc));
        }

        static Map<String, FieldStamp> stamps(String stored, long version, String hlc) {
            return FieldStamp.decode(stored, new FieldStamp(version, hlc));
        }
    }

    void ensureState(Connection c) throws SQLException {
        if (Jdbc.query(c, "select id from tether_hub_state where id = 1", ps -> { }, rs -> rs.getInt(1)).isEmpty()) {
            Jdbc.update(c, "insert into tether_hub_state (id, head_version, horizon) values (1, 0, 0)", ps -> { });
        }
    }

    /** The committed head: a plain read, which never waits for a writer. */
    long head(Connection c) throws SQLException {
        return Jdbc.query(c, "select head_version from tether_hub_state where id = 1", ps -> { }, rs -> rs.getLong(1))
                .stream().findFirst().orElse(0L);
    }

    long horizon(Connection c) throws SQLException {
        return Jdbc.query(c, "select horizon from tether_hub_state where id = 1", ps -> { }, rs -> rs.getLong(1))
                .stream().findFirst().orElse(0L);
    }

    /** When the change-log entry at {@code version} committed (epoch milliseconds), if the log holds it. */
    Optional<Long> committedMs(Connection c, long version) throws SQLException {
        return Jdbc.query(c, "select committed_ms from tether_change_log where version = ?",
                ps -> ps.setLong(1, version), rs -> rs.getLong(1)).stream().findFirst();
    }

    /** The highest version of the change-log entries committed at or before {@code ms}, 0 when none. */
    long lastVersionCommittedBy(Connection c, long ms) throws SQLException {
        return Jdbc.query(c, "select coalesce(max(version), 0) from tether_change_log where committed_ms <= ?",
                ps -> ps.setLong(1, ms), rs -> rs.getLong(1)).get(0);
    }

    /** Locks the counter row until the transaction ends and returns the head it holds. */
    long lockCounter(Connection c) throws SQLException {
        return Jdbc.query(c, "select head_version from tether_hub_state where id = 1 for update", ps -> { },
                rs -> rs.getLong(1)).get(0);
    }

    /**
     * Moves the head; with {@link LogNotifications}, the same statement notifies the other hub nodes over the same
     * database, who hear of it when the transaction commits. Every transaction that writes the change log moves the
     * head, so this is also where it asks for a synchronous commit when the session's default is off.
     */
    void setHead(Connection c, long head) throws SQLException {
        if (commitSynchronously) {
            Jdbc.update(c, "set local synchronous_commit to on", ps -> { });
        }
        if (notifications == null) {
            Jdbc.update(c, "update tether_hub_state set head_version = ? where id = 1", ps -> ps.setLong(1, head));
            return;
        }
        Jdbc.update(c, "update tether_hub_state set head_version = ? from (select pg_notify('"
                + LogNotifications.CHANNEL + "', ?)) notified where id = 1", ps -> {
            ps.setLong(1, head);
            ps.setString(2, notifications.node());
        });
    }

    void setHorizon(Connection c, long horizon) throws SQLException {
        Jdbc.update(c, "update tether_hub_state set horizon = ? where id = 1", ps -> ps.setLong(1, horizon));
    }

    Map<String, Meta> records(Connection c, String collection, Collection<String> ids) throws SQLException {
        return records(c, collection, ids, "");
    }

    /**
     * The metadata rows of these records, locked until the transaction ends, in id order: a push reads a record
     * only once no other transaction can change it before this one commits, so two pushes of one record are judged
     * one after the other, the second against the first's result.
     */
    Map<String, Meta> lockRecords(Connection c, String collection, Collection<String> ids) throws SQLException {
        return records(c, collection, new TreeSet<>(ids), " for update");
    }

    private Map<String, Meta> records(Connection c, String collection, Collection<String> ids, String suffix)
            throws SQLException {
        Map<String, Meta> out = new HashMap<>();
        keys.query(c, "record_id, version, scope_value, hlc, stamps, deleted", "tether_hub_record", suffix, collection,
                ids, rs -> out.put(rs.getString(1), new Meta(rs.getLong(2), rs.getString(3), rs.getString(4),
                        Meta.stamps(rs.getString(5), rs.getLong(2), rs.getString(4)), rs.getBoolean(6))));
        return out;
    }

    /** A row to write into {@code tether_hub_record}; {@code exists} says update rather than insert. */
    record MetaWrite(String collection, String id, Meta meta, boolean exists) {
    }

    void writeRecords(Connection c, List<MetaWrite> writes) throws SQLException {
        List<MetaWrite> inserts = writes.stream().filter(w -> !w.exists()).toList();
        List<MetaWrite> updates = writes.stream().filter(MetaWrite::exists).toList();
        RECORD_INSERT.insert(c, insertForm, inserts);
        if (!updates.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("update tether_hub_record set version = ?, scope_value = ?, "
                    + "hlc = ?, stamps = ?, deleted = ? where collection_name = ? and record_id = ?")) {
                for (MetaWrite w : updates) {
                    bindMeta(ps, w);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static void bindMeta(PreparedStatement ps, MetaWrite w) throws SQLException {
        ps.setLong(1, w.meta().version());
        ps.setString(2, w.meta().scope());
        ps.setString(3, w.meta().hlc());
        ps.setString(4, w.meta().storedStamps());
        ps.setBoolean(5, w.meta().deleted());
        ps.setString(6, w.collection());
        ps.setString(7, w.id());
    }

    void insertLog(Connection c, List<LogEntry> entries) throws SQLException {
        List<LogRow> rows = new ArrayList<>(entries.size());
        for (LogEntry e : entries) {
            rows.add(new LogRow(e, e.data() == null ? null : fitting(json.write(e.data()), e)));
        }
        LOG_INSERT.insert(c, insertForm, rows);
    }

    /** A log entry with its record's JSON text. */
    private record LogRow(LogEntry entry, String data) {
    }

    private static final RowInsert<LogRow> LOG_INSERT = new RowInsert<>("tether_change_log",
            new RowInsert.Column<>("version", BIGINT, r -> r.entry().version()),
            new RowInsert.Column<>("collection_name", VARCHAR, r -> r.entry().collection()),
            new RowInsert.Column<>("record_id", VARCHAR, r -> r.entry().id()),
            new RowInsert.Column<>("op", VARCHAR, r -> r.entry().op().wireName()),
            new RowInsert.Column<>("record_data", VARCHAR, LogRow::data),
            new RowInsert.Column<>("scope_value", VARCHAR, r -> r.entry().scope()),
            new RowInsert.Column<>("committed_ms", BIGINT, r -> r.entry().committedAt().toEpochMilli()));

    private static final RowInsert<MetaWrite> RECORD_INSERT = new RowInsert<>("tether_hub_record",
            new RowInsert.Column<>("collection_name", VARCHAR, MetaWrite::collection),
            new RowInsert.Column<>("record_id", VARCHAR, MetaWrite::id),
            new RowInsert.Column<>("version", BIGINT, w -> w.meta().version()),
            new RowInsert.Column<>("scope_value", VARCHAR, w -> w.meta().scope()),
            new RowInsert.Column<>("hlc", VARCHAR, w -> w.meta().hlc()),
            new RowInsert.Column<>("stamps", VARCHAR, w -> w.meta().storedStamps()),
            new RowInsert.Column<>("deleted", BOOLEAN, w -> w.meta().deleted()));

    /** The record's text, unless it is longer than the log's column: then the change is rejected as too large. */
    private static String fitting(String text, LogEntry e) {
        if (text.length() > TetherRows.DATA_LENGTH) {
            throw new WriteRefusedException(RejectReason.TOO_LARGE, String.format(Locale.ROOT, "record %s/%s is %,d "
                    + "characters as JSON; this hub keeps records of at most %,d", e.collection(), e.id(),
                    text.length(), TetherRows.DATA_LENGTH), null);
        }
        return text;
    }

    /** Log entries in (after, upTo] that the filter accepts, in version order, at most {@code limit}. */
    List<LogEntry> changesSince(Connection c, long after, long upTo, int limit, PullFilter filter) throws SQLException {
        return filtered(c, page -> "select " + LOG_COLUMNS + ", true from tether_change_log where version > ? and "
                + "version <= ? order by version" + limit(page), after, upTo, limit, filter);
    }

    /**
     * The latest entries of live records in (after, upTo], in version order. A page of the log's range is read by
     * its primary key (version), and each entry then tells whether it is its record's live state, looked up by the
     * record's key: the database never joins the whole range (PostgreSQL, misjudging how many entries are live,
     * would hash-join and sort every entry up to {@code upTo} for each page).
     */
    List<LogEntry> snapshot(Connection c, long after, long upTo, int limit, PullFilter filter) throws SQLException {
        return filtered(c, page -> "select l.version, l.collection_name, l.record_id, l.op, l.record_data, "
                + "l.scope_value, l.committed_ms, exists (select 1 from tether_hub_record r where r.collection_name = "
                + "l.collection_name and r.record_id = l.record_id and r.version = l.version and r.deleted = false) "
                + "from (select " + LOG_COLUMNS + " from tether_change_log where version > ? and version <= ? "
                + "order by version" + limit(page) + ") l order by l.version", after, upTo, limit, filter);
    }

    /** {@code limit n}, where the database takes it ({@link Jdbc#takesLimit}); else the JDBC row limit alone. */
    private String limit(int rows) {
        return takesLimit ? " limit " + rows : "";
    }

    /**
     * Reads log entries with {@code select} (for a page size: log columns and whether the entry is wanted, after
     * version {@code ?} up to {@code ?}, at most a page in version order), a page at a time, and returns those
     * wanted whose collection and scope the filter accepts, at most {@code limit}.
     */
    private List<LogEntry> filtered(Connection c, IntFunction<String> select, long after, long upTo, int limit,
                                    PullFilter filter) throws SQLException {
        List<String> collections = List.copyOf(filter.scopesByCollection().keySet());
        List<LogEntry> out = new ArrayList<>();
        if (collections.isEmpty() || limit <= 0) {
            return out;
        }
        // collections and scopes are filtered below, in Java: an IN list here lets the database pick the
        // (collection, record) index and sort the whole log for every page instead of range-scanning by version
        int page = Math.max(limit, 100);
        long from = after;
        try (PreparedStatement ps = c.prepareStatement(select.apply(page))) {
            while (out.size() < limit) {
                ps.setLong(1, from);
                ps.setLong(2, upTo);
                ps.setMaxRows(page);
                int read = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        from = rs.getLong(1);
                        // wanted, and in the filter's collections and scopes: only then is the record's JSON read
                        if (rs.getBoolean(8) && filter.accepts(rs.getString(2), rs.getString(6))) {
                            out.add(entry(rs));
                            if (out.size() == limit) {
                                return out;
                            }
                        }
                    }
                }
                if (read < page) {
                    return out;
                }
            }
        }
        return out;
    }

    private LogEntry entry(ResultSet rs) throws SQLException {
        String data = rs.getString(5);
        return new LogEntry(rs.getLong(1), rs.getString(2), rs.getString(3), Operation.fromWire(rs.getString(4)),
                data == null ? null : json.read(data), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
    }

    /**
     * The versions the given changes of one client produced, for those applied before. Change ids in the form
     * {@link Change#changeId} gives them are found in the client's runs ({@link #recordApplied}): one range scan for
     * the lot. Others, and those of a client with dedup rows of their own (written before runs were), one by one.
     */
    Map<String, Long> appliedVersions(Connection c, String clientId, Collection<String> changeIds) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        TreeMap<Long, String> bySequence = new TreeMap<>();
        List<String> single = new ArrayList<>();
        for (String changeId : changeIds) {
            long sequence = sequenceOf(clientId, changeId);
            if (sequence < 0) {
                single.add(changeId);
            } else {
                bySequence.put(sequence, changeId);
            }
        }
        if (!bySequence.isEmpty()) {
            inRuns(c, clientId, bySequence, out);
            if (out.size() < bySequence.size() && hasSingleRows(c, clientId)) {
                bySequence.values().stream().filter(id -> !out.containsKey(id)).forEach(single::add);
            }
        }
        changes.query(c, "change_id, version", "tether_dedup", "", clientId, single,
                rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /** Puts into {@code out} the version of each sequence a run of the client holds. */
    private static void inRuns(Connection c, String clientId, NavigableMap<Long, String> bySequence,
                               Map<String, Long> out) throws SQLException {
        long last = bySequence.lastKey();
        try (PreparedStatement ps = c.prepareStatement("select first_seq, last_seq, first_version from "
                + "tether_dedup_run where client_id = ? and last_seq >= ? order by client_id, last_seq")) {
            ps.setString(1, clientId);
            ps.setLong(2, bySequence.firstKey());
            ps.setFetchSize(RUN_FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                // in key order (which H2 reads from the index, lazily: client_id is fixed); runs never overlap, so
                // in order of their last sequence they are in order of their first too, and the first run that starts
                // after the highest sequence ends the scan
                while (rs.next() && rs.getLong(1) <= last) {
                    long first = rs.getLong(1);
                    long firstVersion = rs.getLong(3);
                    bySequence.subMap(first, true, rs.getLong(2), true)
                            .forEach((sequence, changeId) -> out.put(changeId, firstVersion + sequence - first));
                }
            }
        }
    }

    private static final int RUN_FETCH = 64;

    private static boolean hasSingleRows(Connection c, String clientId) throws SQLException {
        return Jdbc.anyRow(c, "select 1 from tether_dedup where client_id = ?", ps -> ps.setString(1, clientId));
    }

    /**
     * The sequence a change id holds when it has the form {@link Change#changeId} gives it ({@code clientId:}, then
     * the sequence in 12 digits with leading zeros, or more digits without), else -1: that form and the sequence
     * name each other, so the sequence alone can stand for the change id.
     */
    static long sequenceOf(String clientId, String changeId) {
        int start = clientId.length() + 1;
        int digits = changeId.length() - start;
        if (digits < 12 || digits > 18 || !changeId.startsWith(clientId) || changeId.charAt(start - 1) != ':'
                || (digits > 12 && changeId.charAt(start) == '0')) {
            return -1;
        }
        long sequence = 0;
        for (int i = start; i < changeId.length(); i++) {
            char ch = changeId.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            sequence = sequence * 10 + (ch - '0');
        }
        return sequence;
    }

    /** A pushed change's identity: its dedup key. */
    record ChangeKey(String clientId, String changeId) {
    }

    /**
     * Writes what the hub needs to answer a retry of these changes: the version each produced. A push's changes
     * with ids of the form {@link Change#changeId} whose sequences and versions both go up by one from change to
     * change make one run row ({@code tether_dedup_run}: the client, the first and last sequence, the first version),
     * so a push of a thousand changes usually writes one row; other change ids a row each ({@code tether_dedup}).
     */
    void recordApplied(Connection c, Map<ChangeKey, Long> applied, long nowMs) throws SQLException {
        List<Run> runs = new ArrayList<>();
        Map<ChangeKey, Long> single = new LinkedHashMap<>();
        for (Map.Entry<ChangeKey, Long> e : applied.entrySet()) {
            String clientId = e.getKey().clientId();
            long sequence = sequenceOf(clientId, e.getKey().changeId());
            long version = e.getValue();
            Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (sequence < 0) {
                single.put(e.getKey(), version);
            } else if (last != null && last.continuedBy(clientId, sequence, version)) {
                runs.set(runs.size() - 1, new Run(clientId, last.firstSequence(), sequence, last.firstVersion()));
            } else {
                runs.add(new Run(clientId, sequence, sequence, version));
            }
        }
        Jdbc.batch(c, "insert into tether_dedup_run (client_id, first_seq, last_seq, first_version, committed_ms) "
                + "values (?, ?, ?, ?, ?)", runs, (ps, r) -> {
                    ps.setString(1, r.clientId());
                    ps.setLong(2, r.firstSequence());
                    ps.setLong(3, r.lastSequence());
                    ps.setLong(4, r.firstVersion());
                    ps.setLong(5, nowMs);
                });
        Jdbc.batch(c, "insert into tether_dedup (client_id, change_id, version, committed_ms) values (?, ?, ?, ?)",
                single.entrySet(), (ps, e) -> {
                    ps.setString(1, e.getKey().clientId());
                    ps.setString(2, e.getKey().changeId());
                    ps.setLong(3, e.getValue());
                    ps.setLong(4, nowMs);
                });
    }

    /** Changes of one client applied one after another: sequences and versions both go up by one. */
    private record Run(String clientId, long firstSequence, long lastSequence, long firstVersion) {
        /** Whether the change with this sequence and version is the next of the run. */
        boolean continuedBy(String client, long sequence, long version) {
            return clientId.equals(client) && sequence == lastSequence + 1
                    && version == firstVersion + sequence - firstSequence;
        }
    }

    /** A tombstone's log entry. */
    record Tomb(long version, String collection, String id) {
    }

    /** The log entries of deletes committed before the cutoff. */
    List<Tomb> tombs(Connection c, long cutoffMs) throws SQLException {
        return Jdbc.query(c, "select version, collection_name, record_id from tether_change_log where "
                + "op = 'delete' and committed_ms < ?", ps -> ps.setLong(1, cutoffMs),
                rs -> new Tomb(rs.getLong(1), rs.getString(2), rs.getString(3)));
    }

    /**
     * Drops the log entries a later write of their record superseded (each record's latest entry is at its version),
     * and the dedup rows committed before the cutoff. Needs no lock: an entry that a push supersedes meanwhile goes at
     * the next compaction.
     */
    void dropSuperseded(Connection c, long cutoffMs) throws SQLException {
        Jdbc.update(c, "delete from tether_change_log l where not exists (select 1 from tether_hub_record r where "
                + "r.collection_name = l.collection_name and r.record_id = l.record_id and r.version = l.version)",
                ps -> { });
        Jdbc.update(c, "delete from tether_dedup where committed_ms < ?", ps -> ps.setLong(1, cutoffMs));
        Jdbc.update(c, "delete from tether_dedup_run where committed_ms < ?", ps -> ps.setLong(1, cutoffMs));
    }

    /**
     * Drops the log entries of {@code tombs} and the metadata rows of those still their record's state
     * ({@code live}: the caller holds their rows' locks and the counter's); returns the highest version of those,
     * 0 when none.
     */
    long dropTombs(Connection c, List<Tomb> live, List<Tomb> superseded) throws SQLException {
        List<Tomb> all = new ArrayList<>(live);
        all.addAll(superseded);
        Jdbc.batch(c, "delete from tether_change_log where version = ?", all, (ps, t) -> ps.setLong(1, t.version()));
        Jdbc.batch(c, "delete from tether_hub_record where collection_name = ? and record_id = ? and version = ? "
                + "and deleted = true", live, (ps, t) -> {
                    ps.setString(1, t.collection());
                    ps.setString(2, t.id());
                    ps.setLong(3, t.version());
                });
        return live.stream().mapToLong(Tomb::version).max().orElse(0);
    }
}
