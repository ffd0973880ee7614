package io.tether.sync.jpa.internal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

import java.io.Serializable;

/**
 * Tether's own tables, mapped so that the application's schema management creates them with its entity tables.
 * The store reads and writes them with plain JDBC on the session's connection ({@link ReplicaTables},
 * {@link HubTables}); these classes exist for the mapping only.
 */
final class TetherRows {
    private TetherRows() {
    }

    static final int DATA_LENGTH = 1_048_576;

    /** Composite key of the per-record tables. */
    public static class RecordRef implements Serializable {
        String collection;
        String recordId;

        @Override
        public boolean equals(Object o) {
            return o instanceof RecordRef r && r.collection.equals(collection) && r.recordId.equals(recordId);
        }

        @Override
        public int hashCode() {
            return collection.hashCode() * 31 + recordId.hashCode();
        }
    }

    /** Replica: the hub version each record is known at, and whether it is a tombstone. */
    @Entity(name = "TetherReplicaRecord")
    @Table(name = "tether_replica_record")
    @IdClass(RecordRef.class)
    public static class ReplicaRecord {
        @Id @Column(name = "collection_name", length = 63) String collection;
        @Id @Column(name = "record_id", length = 255) String recordId;
        @Column(name = "version", nullable = false) long version;
        @Column(name = "deleted", nullable = false) boolean deleted;
    }

    /** Replica: local changes waiting for the hub. */
    @Entity(name = "TetherOutbox")
    @Table(name = "tether_outbox", indexes = @Index(name = "tether_outbox_record", columnList = "record_id,collection_name"))
    public static class Outbox {
        @Id @Column(name = "sequence_no") long sequence;
        @Column(name = "change_id", nullable = false, length = 200) String changeId;
        @Column(name = "collection_name", nullable = false, length = 63) String collection;
        @Column(name = "record_id", nullable = false, length = 255) String recordId;
        @Column(name = "op", nullable = false, length = 8) String op;
        @Column(name = "record_data", length = DATA_LENGTH) String data;
        @Column(name = "changed_fields", length = 65_536) String fields;
        @Column(name = "base_version", nullable = false) long baseVersion;
        @Column(name = "hlc", length = 100) String hlc;
        @Column(name = "entry_state", nullable = false, length = 10) String state;
        @Column(name = "parked_reason", length = 100) String parkedReason;
        @Column(name = "parked_message", length = 4096) String parkedMessage;
        @Column(name = "parked_data", length = DATA_LENGTH) String parkedData;
        @Column(name = "parked_version", nullable = false) long parkedVersion;
    }

    /**
     * Replica: runs of outbox sequences marked SENT together (see {@code SentRuns}): an entry whose row says PENDING
     * and whose sequence lies in a run is SENT.
     */
    @Entity(name = "TetherOutboxSent")
    @Table(name = "tether_outbox_sent")
    public static class OutboxSent {
        @Id @Column(name = "first_sequence") long firstSequence;
        @Column(name = "last_sequence", nullable = false) long lastSequence;
    }

    /**
     * Replica: delivered records waiting for a record they reference (by a many-to-one) that the replica does not hold
     * yet, as the hub stored them, and the record each awaits (indexed: its arrival looks up only what awaits it);
     * applied once it arrives.
     */
    @Entity(name = "TetherReplicaWaiting")
    @Table(name = "tether_replica_waiting", indexes = @Index(name = "tether_replica_awaited",
            columnList = "awaited_id,awaited_collection"))
    @IdClass(RecordRef.class)
    public static class ReplicaWaiting {
        @Id @Column(name = "collection_name", length = 63) String collection;
        @Id @Column(name = "record_id", length = 255) String recordId;
        @Column(name = "version", nullable = false) long version;
        @Column(name = "record_data", nullable = false, length = DATA_LENGTH) String data;
        @Column(name = "awaited_collection", length = 63) String awaitedCollection;
        @Column(name = "awaited_id", length = 255) String awaitedId;
    }

    /** Replica: client id, pull cursor and resync flag (one row, id 1); locked while the capture journal is folded. */
    @Entity(name = "TetherReplicaState")
    @Table(name = "tether_replica_state")
    public static class ReplicaState {
        @Id @Column(name = "id") int id;
        @Column(name = "client_id", nullable = false, length = 64) String clientId;
        @Column(name = "cursor_value", length = 4096) String cursor;
        /** Whether an initial sync began and has not been finished; null (a row from before it existed) is false. */
        @Column(name = "resync_pending") Boolean resyncPending;
        /** Turns taken on this row's lock by the writers of the outbox and version rows; null (an older row) is 0. */
        @Column(name = "lock_turn") Long lockTurn;
    }

    /**
     * Replica: the outbox sequence counter (one row, id 1), apart from the state row so that capturing
     * transactions never wait on the engine's.
     */
    @Entity(name = "TetherReplicaSequence")
    @Table(name = "tether_replica_sequence")
    public static class ReplicaSequence {
        @Id @Column(name = "id") int id;
        @Column(name = "next_sequence", nullable = false) long nextSequence;
    }

    /**
     * Replica: the capture journal, one row per capturing transaction (or per part of a large one): its net
     * changes as JSON, in order, the n-th taking outbox sequence {@code first_sequence + n} if it opens an entry.
     * Folded into the outbox before anything reads it.
     */
    @Entity(name = "TetherCaptureJournal")
    @Table(name = "tether_capture_journal")
    public static class CaptureJournal {
        @Id @Column(name = "first_sequence") long firstSequence;
        @Column(name = "changes", nullable = false, length = DATA_LENGTH) String changes;
    }

    /** Hub: per-record version, scope, clock stamp, field stamps and tombstone flag. */
    @Entity(name = "TetherHubRecord")
    @Table(name = "tether_hub_record")
    @IdClass(RecordRef.class)
    public static class HubRecord {
        @Id @Column(name = "collection_name", length = 63) String collection;
        @Id @Column(name = "record_id", length = 255) String recordId;
        @Column(name = "version", nullable = false) long version;
        @Column(name = "scope_value", nullable = false, length = 255) String scope;
        @Column(name = "hlc", length = 100) String hlc;
        @Column(name = "stamps", length = DATA_LENGTH) String stamps;
        @Column(name = "deleted", nullable = false) boolean deleted;
    }

    /** Hub: the change log, one entry per version. */
    @Entity(name = "TetherChangeLog")
    @Table(name = "tether_change_log")
    public static class ChangeLog {
        @Id @Column(name = "version") long version;
        @Column(name = "collection_name", nullable = false, length = 63) String collection;
        @Column(name = "record_id", nullable = false, length = 255) String recordId;
        @Column(name = "op", nullable = false, length = 8) String op;
        @Column(name = "record_data", length = DATA_LENGTH) String data;
        @Column(name = "scope_value", nullable = false, length = 255) String scope;
        @Column(name = "committed_ms", nullable = false) long committedMs;
    }

    /** Composite key of the dedup table. */
    public static class DedupRef implements Serializable {
        String clientId;
        String changeId;

        @Override
        public boolean equals(Object o) {
            return o instanceof DedupRef r && r.clientId.equals(clientId) && r.changeId.equals(changeId);
        }

        @Override
        public int hashCode() {
            return clientId.hashCode() * 31 + changeId.hashCode();
        }
    }

    /** Hub: which (clientId, changeId) produced which version. */
    @Entity(name = "TetherDedup")
    @Table(name = "tether_dedup")
    @IdClass(DedupRef.class)
    public static class Dedup {
        @Id @Column(name = "client_id", length = 64) String clientId;
        @Id @Column(name = "change_id", length = 200) String changeId;
        @Column(name = "version", nullable = false) long version;
        @Column(name = "committed_ms", nullable = false) long committedMs;
    }

    /** Composite key of the dedup runs. */
    public static class DedupRunRef implements Serializable {
        String clientId;
        long lastSequence;

        @Override
        public boolean equals(Object o) {
            return o instanceof DedupRunRef r && r.clientId.equals(clientId) && r.lastSequence == lastSequence;
        }

        @Override
        public int hashCode() {
            return clientId.hashCode() * 31 + Long.hashCode(lastSequence);
        }
    }

    /**
     * Hub: changes of one client applied one after another, with ids of the form {@code Change.changeId}: sequences
     * {@code first_seq..last_seq} produced versions {@code first_version} onwards, one each. Keyed by the last
     * sequence, so the runs that may hold a push's sequences are one range scan.
     */
    @Entity(name = "TetherDedupRun")
    @Table(name = "tether_dedup_run")
    @IdClass(DedupRunRef.class)
    public static class DedupRun {
        @Id @Column(name = "client_id", length = 64) String clientId;
        @Id @Column(name = "last_seq") long lastSequence;
        @Column(name = "first_seq", nullable = false) long firstSequence;
        @Column(name = "first_version", nullable = false) long firstVersion;
        @Column(name = "committed_ms", nullable = false) long committedMs;
    }

    /** Hub: the version counter (locked to assign versions in commit order) and the retention horizon. */
    @Entity(name = "TetherHubState")
    @Table(name = "tether_hub_state")
    public static class HubState {
        @Id @Column(name = "id") int id;
        @Column(name = "head_version", nullable = false) long headVersion;
        @Column(name = "horizon", nullable = false) long horizon;
    }
}
