package io.tether.sync.tck;

import io.tether.sync.SyncRecord;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.StoreContext;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A replica store that forwards everything: broken stores override the one thing they get wrong. */
class DelegatingReplicaStore implements ReplicaStore {
    protected final ReplicaStore delegate;

    DelegatingReplicaStore(ReplicaStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void open(StoreContext context) {
        delegate.open(context);
    }

    @Override
    public String clientId() {
        return delegate.clientId();
    }

    @Override
    public <T> T inTransaction(Function<ReplicaTransaction, T> work) {
        return delegate.inTransaction(work);
    }

    @Override
    public Optional<String> cursor() {
        return delegate.cursor();
    }

    @Override
    public List<OutboxEntry> outbox(Set<OutboxState> states, int limit) {
        return delegate.outbox(states, limit);
    }

    @Override
    public long outboxCount(Set<OutboxState> states) {
        return delegate.outboxCount(states);
    }

    @Override
    public Optional<SyncRecord> get(String collection, String id) {
        return delegate.get(collection, id);
    }

    @Override
    public List<SyncRecord> list(String collection) {
        return delegate.list(collection);
    }

    @Override
    public void put(String collection, String id, Map<String, Object> data) {
        delegate.put(collection, id, data);
    }

    @Override
    public void delete(String collection, String id) {
        delegate.delete(collection, id);
    }
}
