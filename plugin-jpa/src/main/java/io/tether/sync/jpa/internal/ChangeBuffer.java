package io.tether.sync.jpa.internal;

import io.tether.sync.ChangeEvent;
import io.tether.sync.spi.LogEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sync work of one transaction: captured application writes merged per record, the records the store
 * itself writes (never captured again), and what to publish after a successful commit. Confined to the
 * session's thread.
 */
public final class ChangeBuffer {
    private final SyncRuntime runtime;
    private final SharedSessionContractImplementor session;
    private final Map<RecordKey, CapturedChange> captured = new LinkedHashMap<>();
    private final Set<RecordKey> storeWrites = new HashSet<>();
    private final Set<RecordKey> hooksDone = new HashSet<>();
    /** Records a store transaction found no entity for, until written: finding them again needs no query. */
    private final Set<RecordKey> absent = new HashSet<>();
    /** Committed-change events of origin LOCAL, in order. */
    final List<ChangeEvent> localEvents = new ArrayList<>();
    /** Committed-change events of origin REMOTE, in order. */
    final List<ChangeEvent> remoteEvents = new ArrayList<>();
    /** Hub change-log entries written in this transaction, in version order. */
    final List<LogEntry> logEntries = new ArrayList<>();
    /** Whether this transaction holds the hub's counter row lock. */
    boolean counterLocked;
    /** The head version this transaction wrote last, once it holds the counter lock. */
    long head;

    ChangeBuffer(SyncRuntime runtime, SharedSessionContractImplementor session) {
        this.runtime = runtime;
        this.session = session;
    }

    public SharedSessionContractImplementor session() {
        return session;
    }

    /** Folds a captured write into the record's net change, unless the store itself is writing that record. */
    void capture(CapturedChange change) {
        if (storeWrites.contains(change.key())) {
            return;
        }
        CapturedChange earlier = captured.get(change.key());
        if (earlier == null) {
            captured.put(change.key(), change);
            return;
        }
        CapturedChange merged = earlier.then(change);
        if (merged == null) {
            captured.remove(change.key());
        } else {
            captured.put(change.key(), merged);
        }
    }

    /** Marks a record the store writes itself in this transaction (a remote apply, a pushed change). */
    public void storeWrite(RecordKey key) {
        storeWrites.add(key);
    }

    boolean isStoreWrite(RecordKey key) {
        return storeWrites.contains(key);
    }

    /** Marks a record whose persistence hooks already ran in this transaction. */
    public void hooksRan(RecordKey key) {
        hooksDone.add(key);
    }

    boolean hooksRanFor(RecordKey key) {
        return hooksDone.contains(key);
    }

    void absent(RecordKey key, boolean isAbsent) {
        if (isAbsent) {
            absent.add(key);
        } else {
            absent.remove(key);
        }
    }

    boolean knownAbsent(RecordKey key) {
        return absent.contains(key);
    }

    void beforeCompletion() {
        if (!captured.isEmpty()) {
            List<CapturedChange> changes = new ArrayList<>(captured.values());
            captured.clear();
            runtime.sink().write(this, changes);
        }
    }

    void afterCompletion(boolean success) {
        runtime.release(session);
        if (success && (!localEvents.isEmpty() || !remoteEvents.isEmpty() || !logEntries.isEmpty())) {
            runtime.sink().publish(this);
        }
    }
}
