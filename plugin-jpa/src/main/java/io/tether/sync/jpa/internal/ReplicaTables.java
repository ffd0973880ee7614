package io.tether.sync.jpa.internal;

import io.tether.sync.Operation;
import io.tether.sync.SyncException;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.StoreContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static io.tether.sync.jpa.internal.RowInsert.SqlType.BIGINT;
import static io.tether.sync.jpa.internal.RowInsert.SqlType.BOOLEAN;
import static io.tether.sync.jpa.internal.RowInsert.SqlType.VARCHAR;

/** JDBC access to a replica's tables: record versions, the outbox, and the state row. */
public final class ReplicaTables {
    private static final String OUTBOX_COLUMNS = "sequence_no, change_id, collection_name, record_id, op, record_data, "
            + "changed_fields, base_version, hlc, entry_state, parked_reason, parked_message, parked_data, parked_version";

    private final StoreContext.JsonText json;
    private final KeyLookup keys;
    /** Waiting records by the record each awaits. */
    private final KeyLookup awaited;
    /** Whether every waiting row is known to name the record it awaits ({@link #awaitingUnknown}). */
    private volatile boolean awaitedAlwaysKept;
    /** How rows are inserted ({@link RowInsert.Form}). */
    private final RowInsert.Form insertForm;
    private final RowInsert<OutboxEntry> outboxInsert;

    ReplicaTables(StoreContext.JsonText json, SessionFactoryImplementor factory) {
        this.json = json;
        this.keys = KeyLookup.records(factory);
        this.insertForm = RowInsert.Form.of(factory);
        this.awaited = new KeyLookup("awaited_collection", "awaited_id", KeyLookup.inProcess(factory));
        this.outboxInsert = new RowInsert<>("tether_outbox",
                new RowInsert.Column<>("sequence_no", BIGINT, OutboxEntry::sequence),
                new RowInsert.Column<>("change_id", VARCHAR, OutboxEntry::changeId),
                new RowInsert.Column<>("collection_name", VARCHAR, OutboxEntry::collection),
                new RowInsert.Column<>("record_id", VARCHAR, OutboxEntry::id),
                new RowInsert.Column<>("op", VARCHAR, e -> e.op().wireName()),
                new RowInsert.Column<>("record_data", VARCHAR, e -> dataText(e.data())),
                new RowInsert.Column<>("changed_fields", VARCHAR, e -> fieldsText(e.fields())),
                new RowInsert.Column<>("base_version", BIGINT, OutboxEntry::baseVersion),
                new RowInsert.Column<>("hlc", VARCHAR, OutboxEntry::hlc),
                new RowInsert.Column<>("entry_state", VARCHAR, e -> e.state().name()),
                new RowInsert.Column<>("parked_reason", VARCHAR,
                        e -> e.parked() == null ? null : e.parked().reason()),
                new RowInsert.Column<>("parked_message", VARCHAR,
                        e -> e.parked() == null ? null : e.parked().message()),
                new RowInsert.Column<>("parked_data", VARCHAR,
                        e -> e.parked() == null ? null : dataText(e.parked().hubData())),
                new RowInsert.Column<>("parked_version", BIGINT,
                        e -> e.parked() == null ? 0L : e.parked().hubVersion()));
    }

    /** A record's local version row. */
    record Meta(long version, boolean deleted) {
    }

    // ---- state row

    /**
     * Creates the state and sequence rows, with a fresh client id, unless they exist; returns the client id. Raises
     * the sequence counter to the clock, in microseconds since the epoch, when it is behind: change ids derive from
     * sequences, and a crash of a database that writes commits to its file late (H2 by default) can lose sequences
     * whose changes the hub has applied already; a change that took one of them again would be answered
     * {@code duplicate} and never applied. A replica captures far fewer than a million changes a second, so the
     * clock at start is ahead of every sequence an earlier run handed out, as long as it does not run backwards.
     */
    String ensureState(Connection c) throws SQLException {
        Instant now = Instant.now();
        long clock = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
        List<String> ids = Jdbc.query(c, "select client_id from tether_replica_state where id = 1", ps -> { },
                rs -> rs.getString(1));
        if (!ids.isEmpty()) {
            Jdbc.update(c, "update tether_replica_sequence set next_sequence = ? where id = 1 and next_sequence < ?",
                    ps -> {
                        ps.setLong(1, clock);
                        ps.setLong(2, clock);
                    });
            return ids.get(0);
        }
        String clientId = UUID.randomUUID().toString();
        Jdbc.update(c, "insert into tether_replica_state (id, client_id, cursor_value) values (1, ?, null)",
                ps -> ps.setString(1, clientId));
        Jdbc.update(c, "insert into tether_replica_sequence (id, next_sequence) values (1, ?)",
                ps -> ps.setLong(1, clock));
        return clientId;
    }

    String cursor(Connection c) throws SQLException {
        List<String> cursors = Jdbc.query(c, "select cursor_value from tether_replica_state where id = 1", ps -> { },
                rs -> rs.getString(1));
        return cursors.isEmpty() ? null : cursors.get(0);
    }

    void setCursor(Connection c, String cursor) throws SQLException {
        Jdbc.update(c, "update tether_replica_state set cursor_value = ? where id = 1", ps -> ps.setString(1, cursor));
    }

    boolean resyncPending(Connection c) throws SQLException {
        List<Boolean> flags = Jdbc.query(c, "select resync_pending from tether_replica_state where id = 1", ps -> { },
                rs -> rs.getBoolean(1));
        return !flags.isEmpty() && flags.get(0);
    }

    void setResyncPending(Connection c, boolean pending) throws SQLException {
        Jdbc.update(c, "update tether_replica_state set resync_pending = ? where id = 1",
                ps -> ps.setBoolean(1, pending));
    }

    /**
     * Locks the state row until the transaction ends (store transactions and journal folds take turns on it) and
     * counts the turn in it; returns the turn.
     */
    long lockState(Connection c) throws SQLException {
        Jdbc.update(c, "update tether_replica_state set lock_turn = coalesce(lock_turn, 0) + 1 where id = 1",
                ps -> { });
        return Jdbc.query(c, "select lock_turn from tether_replica_state where id = 1", ps -> { },
                rs -> rs.getLong(1)).get(0);
    }

    /**
     * Reserves {@code n} outbox sequences; returns the first. The sequence row stays locked until commit, so
     * capturing transactions take their sequences in commit order.
     */
    long allocate(Connection c, int n) throws SQLException {
        Jdbc.update(c, "update tether_replica_sequence set next_sequence = next_sequence + ? where id = 1",
                ps -> ps.setLong(1, n));
        long next = Jdbc.query(c, "select next_sequence from tether_replica_sequence where id = 1", ps -> { },
                rs -> rs.getLong(1)).get(0);
        return next - n;
    }

    // ---- capture journal

    /** One journal row: the first sequence of its changes, and the changes in capture order. */
    record JournalRow(long firstSequence, List<JournalChange> changes) {
    }

    /**
     * One captured change: the record, the operation, the record's state after it (null for a delete), the fields
     * it changed (null: all), its HLC, and the records it referenced before and no longer does.
     */
    record JournalChange(RecordKey key, Operation op, Map<String, Object> data, List<String> fields, String hlc,
                         List<RecordKey> released) {
    }

    /**
     * Appends captured changes to the journal, the i-th with sequence {@code first + i}, in rows of at most
     * {@link TetherRows#DATA_LENGTH} characters. A change is two lines: its header as JSON, then the record's JSON
     * text (empty for a delete), kept apart so that the fold hands the record to the outbox as it is; compact JSON
     * holds no line break.
     */
    void appendJournal(Connection c, long first, List<JournalChange> changes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into tether_capture_journal (first_sequence, changes) "
                + "values (?, ?)")) {
            StringBuilder text = new StringBuilder();
            long rowFirst = first;
            for (int i = 0; i < changes.size(); i++) {
                JournalChange change = changes.get(i);
                Map<String, Object> headerFields = new LinkedHashMap<>(8);
                headerFields.put("c", change.key().collection());
                headerFields.put("i", change.key().id());
                headerFields.put("o", change.op().wireName());
                headerFields.put("f", change.fields());
                headerFields.put("h", change.hlc());
                if (!change.released().isEmpty()) {
                    headerFields.put("r", change.released().stream().map(k -> List.of(k.collection(), k.id()))
                            .toList());
                }
                String header = json.write(headerFields);
                String data = change.data() == null ? "" : json.write(change.data());
                if (data.indexOf('\n') >= 0) {
                    data = json.write(new LinkedHashMap<>(change.data())); // stored text from elsewhere, made compact
                }
                int length = header.length() + 1 + data.length();
                if (length > TetherRows.DATA_LENGTH) {
                    throw new SyncException(String.format(Locale.ROOT, "Synced record %s/%s is %,d characters as "
                            + "JSON; Tether keeps records of at most %,d, so this write could never be pushed. Keep "
                            + "large content out of synced entities (in files or a blob store) and sync a reference to "
                            + "it.", change.key().collection(), change.key().id(), length, TetherRows.DATA_LENGTH));
                }
                // the row so far, a line break and this change must fit the column
                if (!text.isEmpty() && text.length() + 1 + length > TetherRows.DATA_LENGTH) {
                    addJournalRow(ps, rowFirst, text);
                    text.setLength(0);
                    rowFirst = first + i;
                }
                text.append(text.isEmpty() ? "" : "\n").append(header).append('\n').append(data);
            }
            addJournalRow(ps, rowFirst, text);
            ps.executeBatch();
        }
    }

    /** How rows written before the record data had a line of its own begin: one JSON object of all changes. */
    private static final String JOURNAL_OBJECT = "{\"changes\":[";

    private static void addJournalRow(PreparedStatement ps, long first, StringBuilder text) throws SQLException {
        ps.setLong(1, first);
        ps.setString(2, text.toString());
        ps.addBatch();
    }

    /** A journal row's changes; each record is read lazily, from its own text. */
    @SuppressWarnings("unchecked")
    private List<JournalChange> journalChanges(String text) {
        List<JournalChange> changes = new ArrayList<>();
        if (text.startsWith(JOURNAL_OBJECT)) {
            for (Map<String, Object> change : (List<Map<String, Object>>) json.read(text).get("changes")) {
                changes.add(journalChange(change, (Map<String, Object>) change.get("d")));
            }
            return changes;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i + 1 < lines.length; i += 2) {
            changes.add(journalChange(json.read(lines[i]), lines[i + 1].isEmpty() ? null : json.read(lines[i + 1])));
        }
        return changes;
    }

    @SuppressWarnings("unchecked")
    private static JournalChange journalChange(Map<String, Object> header, Map<String, Object> data) {
        List<RecordKey> released = new ArrayList<>(0);
        if (header.get("r") instanceof List<?> keys) { // absent from rows written before it existed
            for (Object k : keys) {
                List<String> pair = (List<String>) k;
                released.add(new RecordKey(pair.get(0), pair.get(1)));
            }
        }
        return new JournalChange(new RecordKey((String) header.get("c"), (String) header.get("i")),
                Operation.fromWire((String) header.get("o")), data, (List<String>) header.get("f"),
                (String) header.get("h"), released);
    }

    /** Whether the outbox has no entries. */
    boolean outboxEmpty(Connection c) throws SQLException {
        return !anyRow(c, "select sequence_no from tether_outbox");
    }

    /** Whether the journal holds committed rows. */
    boolean journalPending(Connection c) throws SQLException {
        return anyRow(c, "select first_sequence from tether_capture_journal");
    }

    private static boolean anyRow(Connection c, String select) throws SQLException {
        return Jdbc.anyRow(c, select, ps -> { });
    }

    /**
     * The oldest journal rows, at most {@code maxRows}, and no more once they hold {@code maxChanges} changes (at
     * least one row), so that a fold's memory and transaction stay bounded however large the captured
     * transactions were.
     */
    List<JournalRow> journal(Connection c, int maxRows, int maxChanges) throws SQLException {
        List<JournalRow> out = new ArrayList<>();
        int changes = 0;
        int ask = 1; // the first row tells how many changes a row holds, so the next query reads about enough rows
        while (out.size() < maxRows && changes < maxChanges) {
            int asked = Math.min(ask, maxRows - out.size());
            List<JournalRow> rows = journalAfter(c, out.isEmpty() ? null : out.get(out.size() - 1).firstSequence(),
                    asked);
            for (JournalRow row : rows) {
                if (changes >= maxChanges) {
                    break;
                }
                out.add(row);
                changes += row.changes().size();
            }
            if (rows.size() < asked) {
                break; // none left
            }
            int perRow = Math.max(1, changes / out.size());
            ask = Math.max(1, (maxChanges - changes + perRow - 1) / perRow); // perRow <= changes: no overflow
        }
        return out;
    }

    /** Every journal row, in order, in one query. */
    List<JournalRow> journal(Connection c) throws SQLException {
        return journalAfter(c, null, Integer.MAX_VALUE);
    }

    /**
     * Up to {@code limit} journal rows after {@code after} (null: from the first), in order. A row can hold a large
     * transaction's changes, and H2 reads every row a query may return, so the limit is kept close to what is used.
     */
    private List<JournalRow> journalAfter(Connection c, Long after, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select first_sequence, changes from tether_capture_journal "
                + (after == null ? "" : "where first_sequence > ? ") + "order by first_sequence")) {
            if (after != null) {
                ps.setLong(1, after);
            }
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<JournalRow> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new JournalRow(rs.getLong(1), journalChanges(rs.getString(2))));
                }
                return out;
            }
        }
    }

    /** Removes the given journal rows (by key: rows committed since they were read stay for the next fold). */
    void removeJournal(Connection c, List<JournalRow> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("delete from tether_capture_journal where first_sequence = ?")) {
            for (JournalRow row : rows) {
                ps.setLong(1, row.firstSequence());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // ---- record versions

    Map<String, Meta> meta(Connection c, String collection, Collection<String> ids) throws SQLException {
        Map<String, Meta> out = new HashMap<>();
        keys.query(c, "record_id, version, deleted", "tether_replica_record", "", collection, ids,
                rs -> out.put(rs.getString(1), new Meta(rs.getLong(2), rs.getBoolean(3))));
        return out;
    }

    /**
     * A version row to write; {@code exists} says whether it is there already, when known (null: try an update,
     * then insert).
     */
    record MetaPut(String collection, String id, long version, boolean deleted, Boolean exists) {
    }

    /** Writes version rows in two batches: updates of the rows that may exist, then inserts of the others. */
    void putMeta(Connection c, Collection<MetaPut> puts) throws SQLException {
        List<MetaPut> inserts = new ArrayList<>();
        List<MetaPut> updates = new ArrayList<>();
        for (MetaPut put : puts) {
            (Boolean.FALSE.equals(put.exists()) ? inserts : updates).add(put);
        }
        if (!updates.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("update tether_replica_record set version = ?, deleted = ? "
                    + "where collection_name = ? and record_id = ?")) {
                for (MetaPut put : updates) {
                    ps.setLong(1, put.version());
                    ps.setBoolean(2, put.deleted());
                    ps.setString(3, put.collection());
                    ps.setString(4, put.id());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) {
                        inserts.add(updates.get(i));
                    }
                }
            }
        }
        META_INSERT.insert(c, insertForm, inserts);
    }

    private static final RowInsert<MetaPut> META_INSERT = new RowInsert<>("tether_replica_record",
            new RowInsert.Column<>("collection_name", VARCHAR, MetaPut::collection),
            new RowInsert.Column<>("record_id", VARCHAR, MetaPut::id),
            new RowInsert.Column<>("version", BIGINT, MetaPut::version),
            new RowInsert.Column<>("deleted", BOOLEAN, MetaPut::deleted));

    /**
     * Marks every record that has a positive version and no outbox entry stale ({@code -v}), in one statement;
     * returns how many.
     */
    int markStale(Connection c) throws SQLException {
        return Jdbc.update(c, "update tether_replica_record r set version = -version where version > 0 and not exists "
                + "(select 1 from tether_outbox o where o.record_id = r.record_id "
                + "and o.collection_name = r.collection_name)", ps -> { });
    }

    /** A record's version row: live, stale or never versioned ({@code version <= 0}). */
    record StaleRecord(String collection, String id, long version) {
    }

    /**
     * Up to {@code max} records of a collection whose version rows say live and stale or never versioned, and that
     * have neither an outbox entry nor a delivered state waiting for a record it references (a resync delivered
     * those). One collection a query: H2 2.3.232 answers some rows twice when the collection is an IN list over the
     * key's leading column.
     */
    List<StaleRecord> staleLive(Connection c, String collection, int max) throws SQLException {
        return Jdbc.query(c, "select record_id, version from tether_replica_record r "
                + "where collection_name = ? and version <= 0 and deleted = false and not exists (select 1 from "
                + "tether_outbox o where o.record_id = r.record_id and o.collection_name = r.collection_name) "
                + "and not exists (select 1 from tether_replica_waiting w where w.record_id = r.record_id "
                + "and w.collection_name = r.collection_name)", ps -> {
                    ps.setString(1, collection);
                    ps.setMaxRows(max);
                }, rs -> new StaleRecord(collection, rs.getString(1), rs.getLong(2)));
    }

    /**
     * Up to {@code max} records of a collection whose version rows hold a version above {@code version} (either
     * sign: stale ones too) and that have no outbox entry. A scan of the collection's version rows: it serves a
     * recovery, not a sync.
     */
    List<StaleRecord> heldAbove(Connection c, String collection, long version, int max) throws SQLException {
        return Jdbc.query(c, "select record_id, version from tether_replica_record r "
                + "where collection_name = ? and (version > ? or version < ?) and not exists (select 1 from "
                + "tether_outbox o where o.record_id = r.record_id and o.collection_name = r.collection_name)", ps -> {
                    ps.setString(1, collection);
                    ps.setLong(2, version);
                    ps.setLong(3, -version);
                    ps.setMaxRows(max);
                }, rs -> new StaleRecord(collection, rs.getString(1), rs.getLong(2)));
    }

    // ---- records waiting for a record they reference

    /** A delivered record kept until the records it references are here, and the one it awaits now. */
    record Waiting(RecordKey key, long version, Map<String, Object> data, RecordKey awaited) {
    }

    private static final String WAITING_COLUMNS =
            "collection_name, record_id, version, record_data, awaited_collection, awaited_id";

    /** Whether any record waits (usually none: one cheap query a transaction). */
    boolean anyWaiting(Connection c) throws SQLException {
        return anyRow(c, "select record_id from tether_replica_waiting");
    }

    /** The waiting records among one collection's {@code ids}. */
    List<Waiting> waiting(Connection c, String collection, Collection<String> ids) throws SQLException {
        List<Waiting> out = new ArrayList<>();
        keys.query(c, WAITING_COLUMNS, "tether_replica_waiting", "", collection, ids,
                rs -> out.add(waitingOf(rs)));
        return out;
    }

    /** The records waiting for any of one collection's {@code ids}, oldest version first. */
    List<Waiting> awaiting(Connection c, String collection, Collection<String> ids) throws SQLException {
        List<Waiting> out = new ArrayList<>();
        awaited.query(c, WAITING_COLUMNS, "tether_replica_waiting", "", collection, ids,
                rs -> out.add(waitingOf(rs)));
        out.sort(Comparator.comparingLong(Waiting::version));
        return out;
    }

    /**
     * Records kept waiting by an earlier version, without the record they await (its columns are empty). Once a
     * transaction finds none, none is looked for again: this version always keeps the awaited record.
     */
    List<Waiting> awaitingUnknown(Connection c) throws SQLException {
        if (awaitedAlwaysKept) {
            return List.of();
        }
        List<Waiting> rows = Jdbc.query(c, "select " + WAITING_COLUMNS + " from tether_replica_waiting where "
                + "awaited_id is null", ps -> { }, this::waitingOf);
        awaitedAlwaysKept = rows.isEmpty();
        return rows;
    }

    private Waiting waitingOf(ResultSet rs) throws SQLException {
        return new Waiting(new RecordKey(rs.getString(1), rs.getString(2)), rs.getLong(3), dataOf(rs.getString(4)),
                new RecordKey(rs.getString(5), rs.getString(6)));
    }

    /** Keeps a waiting record until it can be applied, replacing what waited for it before. */
    void putWaiting(Connection c, Waiting w) throws SQLException {
        removeWaiting(c, w.key());
        Jdbc.update(c, "insert into tether_replica_waiting (" + WAITING_COLUMNS + ") values (?, ?, ?, ?, ?, ?)",
                ps -> {
                    ps.setString(1, w.key().collection());
                    ps.setString(2, w.key().id());
                    ps.setLong(3, w.version());
                    ps.setString(4, dataText(w.data()));
                    ps.setString(5, w.awaited().collection());
                    ps.setString(6, w.awaited().id());
                });
    }

    void removeWaiting(Connection c, RecordKey key) throws SQLException {
        Jdbc.update(c, "delete from tether_replica_waiting where collection_name = ? and record_id = ?", ps -> {
            ps.setString(1, key.collection());
            ps.setString(2, key.id());
        });
    }

    void clearWaiting(Connection c) throws SQLException {
        Jdbc.update(c, "delete from tether_replica_waiting", ps -> { });
    }

    void setDeleted(Connection c, String collection, String id, boolean deleted) throws SQLException {
        Jdbc.update(c, "update tether_replica_record set deleted = ? where collection_name = ? and record_id = ?",
                ps -> {
                    ps.setBoolean(1, deleted);
                    ps.setString(2, collection);
                    ps.setString(3, id);
                });
    }

    // ---- outbox

    /** Outbox entries of the given records, each record's in sequence order. */
    Map<String, List<OutboxEntry>> outboxFor(Connection c, String collection, Collection<String> ids)
            throws SQLException {
        Map<String, List<OutboxEntry>> out = new HashMap<>();
        SentRuns runs = sentRuns(c);
        keys.query(c, OUTBOX_COLUMNS, "tether_outbox", " order by sequence_no", collection, ids,
                rs -> {
                    OutboxEntry e = runs.apply(entry(rs));
                    return out.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
                });
        return out;
    }

    /**
     * The outbox entries of the given records as capture needs them: everything but the record data and the
     * parked answer (left null), which capture replaces and never reads.
     */
    Map<String, List<OutboxEntry>> outboxHeadersFor(Connection c, String collection, Collection<String> ids)
            throws SQLException {
        Map<String, List<OutboxEntry>> out = new HashMap<>();
        SentRuns runs = sentRuns(c);
        keys.query(c, "sequence_no, change_id, record_id, op, changed_fields, base_version, hlc, entry_state",
                "tether_outbox", " order by sequence_no", collection, ids, rs -> {
            String fields = rs.getString(5);
            OutboxEntry e = runs.apply(new OutboxEntry(rs.getLong(1), rs.getString(2), collection, rs.getString(3),
                    Operation.fromWire(rs.getString(4)), null, fieldsOf(fields), rs.getLong(6), rs.getString(7),
                    OutboxState.valueOf(rs.getString(8)), null));
            return out.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
        });
        return out;
    }

    /** Rewrites PENDING entries that absorbed a write: only the columns a fold changes. */
    void foldOutbox(Connection c, List<OutboxEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("update tether_outbox set op = ?, record_data = ?, "
                + "changed_fields = ?, hlc = ? where sequence_no = ?")) {
            for (OutboxEntry e : entries) {
                ps.setString(1, e.op().wireName());
                ps.setString(2, dataText(e.data()));
                ps.setString(3, fieldsText(e.fields()));
                ps.setString(4, e.hlc());
                ps.setLong(5, e.sequence());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Up to {@code limit} entries in these states after {@code afterSequence}, in sequence order. Rows are read in
     * the states their rows may say (a SENT entry's row may say PENDING, see {@link SentRuns}) and kept by the state
     * the entry stands in.
     */
    List<OutboxEntry> outbox(Connection c, Set<OutboxState> states, long afterSequence, int limit)
            throws SQLException {
        if (states.isEmpty() || limit <= 0) {
            return List.of();
        }
        SentRuns runs = sentRuns(c);
        List<OutboxState> list = List.copyOf(rowStates(states));
        List<OutboxEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select " + OUTBOX_COLUMNS + " from tether_outbox where "
                + "sequence_no > ? and entry_state in (" + Jdbc.placeholders(list.size()) + ") order by sequence_no")) {
            for (int i = 0; i < list.size(); i++) {
                ps.setString(i + 2, list.get(i).name());
            }
            long after = afterSequence;
            while (out.size() < limit) {
                int want = limit - out.size();
                ps.setLong(1, after);
                ps.setMaxRows(want);
                int read = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        after = rs.getLong(1);
                        if (states.contains(runs.state(after, OutboxState.valueOf(rs.getString(10))))) {
                            out.add(runs.apply(entry(rs)));
                        }
                    }
                }
                if (read < want) {
                    break; // no more rows
                }
            }
        }
        return out;
    }

    /** The states the rows of entries in {@code states} may say: a SENT entry's row may say PENDING. */
    private static Set<OutboxState> rowStates(Set<OutboxState> states) {
        Set<OutboxState> rows = EnumSet.copyOf(states);
        if (states.contains(OutboxState.SENT)) {
            rows.add(OutboxState.PENDING);
        }
        return rows;
    }

    long outboxCount(Connection c, Set<OutboxState> states) throws SQLException {
        if (states.isEmpty()) {
            return 0;
        }
        List<OutboxState> list = List.copyOf(states);
        long rows = Jdbc.query(c, "select count(*) from tether_outbox where entry_state in ("
                + Jdbc.placeholders(list.size()) + ")", ps -> {
            for (int i = 0; i < list.size(); i++) {
                ps.setString(i + 1, list.get(i).name());
            }
        }, rs -> rs.getLong(1)).get(0);
        boolean pending = states.contains(OutboxState.PENDING);
        if (pending == states.contains(OutboxState.SENT)) {
            return rows; // both or neither: entries marked in runs are counted as their rows say, or not at all
        }
        long marked = Jdbc.query(c, "select count(*) from tether_outbox o join tether_outbox_sent s on o.sequence_no "
                + "between s.first_sequence and s.last_sequence where o.entry_state = 'PENDING'", ps -> { },
                rs -> rs.getLong(1)).get(0);
        return pending ? rows - marked : rows + marked;
    }

    // ---- runs of entries marked SENT

    /** The runs of sequences marked SENT together. */
    SentRuns sentRuns(Connection c) throws SQLException {
        Map<Long, Long> runs = new HashMap<>();
        for (long[] run : Jdbc.query(c, "select first_sequence, last_sequence from tether_outbox_sent", ps -> { },
                rs -> new long[] {rs.getLong(1), rs.getLong(2)})) {
            runs.put(run[0], run[1]);
        }
        return runs.isEmpty() ? SentRuns.NONE : new SentRuns(runs);
    }

    /**
     * Marks the PENDING entries with these sequences SENT without rewriting their rows: one run row per stretch of
     * consecutive sequences. First drops the runs left with no entry they still mark.
     */
    void markSent(Connection c, Collection<Long> sequences) throws SQLException {
        if (sequences.isEmpty()) {
            return;
        }
        Jdbc.update(c, "delete from tether_outbox_sent s where not exists (select 1 from tether_outbox o where "
                + "o.sequence_no between s.first_sequence and s.last_sequence and o.entry_state = 'PENDING')", ps -> { });
        insertRuns(c, SentRuns.group(sequences));
    }

    /** Takes these sequences out of their runs: their rows are written again and say what the entries are. */
    private void unmark(Connection c, Collection<Long> sequences) throws SQLException {
        Map<Long, List<long[]>> changed = sentRuns(c).without(sequences);
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("delete from tether_outbox_sent where first_sequence = ?")) {
            for (long first : changed.keySet()) {
                ps.setLong(1, first);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        insertRuns(c, changed.values().stream().flatMap(List::stream).toList());
    }

    private void insertRuns(Connection c, List<long[]> runs) throws SQLException {
        if (runs.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("insert into tether_outbox_sent (first_sequence, "
                + "last_sequence) values (?, ?)")) {
            for (long[] run : runs) {
                ps.setLong(1, run[0]);
                ps.setLong(2, run[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    void insertOutbox(Connection c, List<OutboxEntry> entries) throws SQLException {
        outboxInsert.insert(c, insertForm, entries);
    }

    /**
     * Replaces the entries with these sequences, or inserts them (keeping the sequence counter ahead of them).
     * Entries in {@code settled} differ from their stored rows only in state, parked answer and base version,
     * and only those columns are rewritten. Each saved entry leaves its run, if it was marked in one: its row now
     * says what it is.
     */
    void saveOutbox(Connection c, List<OutboxEntry> entries, List<OutboxEntry> settled) throws SQLException {
        if (entries.isEmpty() && settled.isEmpty()) {
            return;
        }
        unmark(c, Stream.concat(entries.stream(), settled.stream()).map(OutboxEntry::sequence).toList());
        List<OutboxEntry> fresh = new ArrayList<>();
        if (!entries.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("update tether_outbox set change_id = ?, "
                    + "collection_name = ?, record_id = ?, op = ?, record_data = ?, changed_fields = ?, "
                    + "base_version = ?, hlc = ?, entry_state = ?, parked_reason = ?, parked_message = ?, "
                    + "parked_data = ?, parked_version = ? where sequence_no = ?")) {
                for (OutboxEntry entry : entries) {
                    bindEntry(ps, entry);
                    ps.setLong(14, entry.sequence());
                    ps.addBatch();
                }
                collectMissing(ps.executeBatch(), entries, fresh);
            }
        }
        if (!settled.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("update tether_outbox set base_version = ?, "
                    + "entry_state = ?, parked_reason = ?, parked_message = ?, parked_data = ?, parked_version = ? "
                    + "where sequence_no = ?")) {
                for (OutboxEntry entry : settled) {
                    ps.setLong(1, entry.baseVersion());
                    ps.setString(2, entry.state().name());
                    bindParked(ps, entry.parked(), 3);
                    ps.setLong(7, entry.sequence());
                    ps.addBatch();
                }
                collectMissing(ps.executeBatch(), settled, fresh);
            }
        }
        if (!fresh.isEmpty()) {
            insertOutbox(c, fresh);
            // fresh entries from the engine: keep the sequence counter ahead of them
            long last = fresh.stream().mapToLong(OutboxEntry::sequence).max().orElseThrow();
            Jdbc.update(c, "update tether_replica_sequence set next_sequence = ? where id = 1 and next_sequence <= ?",
                    ps -> {
                        ps.setLong(1, last + 1);
                        ps.setLong(2, last);
                    });
        }
    }

    private static void collectMissing(int[] updateCounts, List<OutboxEntry> entries, List<OutboxEntry> missing) {
        for (int i = 0; i < updateCounts.length; i++) {
            if (updateCounts[i] == 0) {
                missing.add(entries.get(i));
            }
        }
    }

    /**
     * Removes the entries with these sequences: one statement per run of consecutive sequences (a settled batch is
     * usually one run), as no other entry can lie between two consecutive sequences.
     */
    void removeOutbox(Connection c, Collection<Long> sequences) throws SQLException {
        Jdbc.batch(c, "delete from tether_outbox where sequence_no between ? and ?", SentRuns.group(sequences),
                (ps, run) -> {
                    ps.setLong(1, run[0]);
                    ps.setLong(2, run[1]);
                });
    }

    /** Binds every column but the sequence, as parameters 1 to 13. */
    private void bindEntry(PreparedStatement ps, OutboxEntry e) throws SQLException {
        ps.setString(1, e.changeId());
        ps.setString(2, e.collection());
        ps.setString(3, e.id());
        ps.setString(4, e.op().wireName());
        ps.setString(5, dataText(e.data()));
        ps.setString(6, fieldsText(e.fields()));
        ps.setLong(7, e.baseVersion());
        ps.setString(8, e.hlc());
        ps.setString(9, e.state().name());
        bindParked(ps, e.parked(), 10);
    }

    /** Binds a parked answer's four columns (reason, message, hub data, hub version) from parameter {@code at}. */
    private void bindParked(PreparedStatement ps, OutboxEntry.Parked p, int at) throws SQLException {
        ps.setString(at, p == null ? null : p.reason());
        ps.setString(at + 1, p == null ? null : p.message());
        ps.setString(at + 2, p == null ? null : dataText(p.hubData()));
        ps.setLong(at + 3, p == null ? 0 : p.hubVersion());
    }

    private OutboxEntry entry(ResultSet rs) throws SQLException {
        String data = rs.getString(6);
        String fields = rs.getString(7);
        String reason = rs.getString(11);
        OutboxEntry.Parked parked = null;
        if (reason != null) {
            String hubData = rs.getString(13);
            parked = new OutboxEntry.Parked(reason, rs.getString(12), dataOf(hubData), rs.getLong(14));
        }
        return new OutboxEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Operation.fromWire(rs.getString(5)), dataOf(data),
                fieldsOf(fields),
                rs.getLong(8), rs.getString(9), OutboxState.valueOf(rs.getString(10)), parked);
    }

    private String dataText(Map<String, Object> data) {
        return data == null ? null : json.write(data);
    }

    private Map<String, Object> dataOf(String text) {
        return text == null ? null : json.read(text);
    }

    /** Changed fields as stored: one per line; null means all fields. */
    private static String fieldsText(Set<String> fields) {
        return fields == null ? null : String.join("\n", fields);
    }

    private static Set<String> fieldsOf(String text) {
        return text == null ? null : text.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(text.split("\n")));
    }
}
