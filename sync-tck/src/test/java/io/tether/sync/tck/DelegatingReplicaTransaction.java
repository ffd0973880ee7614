package io.tether.sync.tck;

import io.tether.sync.spi.LocalRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.ReplicaTransaction;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A replica transaction that forwards everything: broken stores override the one thing they get wrong. */
class DelegatingReplicaTransaction implements ReplicaTransaction {
    protected final ReplicaTransaction tx;

    DelegatingReplicaTransaction(ReplicaTransaction tx) {
        this.tx = tx;
    }

    @Override
    public void prefetch(String collection, Collection<String> ids) {
        tx.prefetch(collection, ids);
    }

    @Override
    public Optional<LocalRecord> read(String collection, String id) {
        return tx.read(collection, id);
    }

    @Override
    public long version(String collection, String id) {
        return tx.version(collection, id);
    }

    @Override
    public List<OutboxEntry> outboxFor(String collection, String id) {
        return tx.outboxFor(collection, id);
    }

    @Override
    public void applyRemote(String collection, String id, Map<String, Object> data, long version) {
        tx.applyRemote(collection, id, data, version);
    }

    @Override
    public void setVersion(String collection, String id, long version) {
        tx.setVersion(collection, id, version);
    }

    @Override
    public void saveOutbox(OutboxEntry entry) {
        tx.saveOutbox(entry);
    }

    @Override
    public void removeOutbox(long sequence) {
        tx.removeOutbox(sequence);
    }

    @Override
    public Optional<String> cursor() {
        return tx.cursor();
    }

    @Override
    public void setCursor(String cursor) {
        tx.setCursor(cursor);
    }

    @Override
    public void beginResync() {
        tx.beginResync();
    }

    @Override
    public int finishResync(int max) {
        return tx.finishResync(max);
    }

    @Override
    public int queueAgain(long version, String hlc, int max) {
        return tx.queueAgain(version, hlc, max);
    }
}
