package io.tether.sync.tck;

import io.tether.sync.SyncRecord;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.StoreContext;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A hub store that forwards everything: broken stores override the one thing they get wrong. */
class DelegatingHubStore implements HubStore {
    protected final HubStore delegate;

    DelegatingHubStore(HubStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void open(StoreContext context) {
        delegate.open(context);
    }

    @Override
    public <T> T inTransaction(Function<HubTransaction, T> work) {
        return delegate.inTransaction(work);
    }

    @Override
    public long headVersion() {
        return delegate.headVersion();
    }

    @Override
    public List<LogEntry> changesSince(long after, long upTo, int limit, PullFilter filter) {
        return delegate.changesSince(after, upTo, limit, filter);
    }

    @Override
    public List<LogEntry> snapshot(long after, long upTo, int limit, PullFilter filter) {
        return delegate.snapshot(after, upTo, limit, filter);
    }

    @Override
    public long horizon() {
        return delegate.horizon();
    }

    @Override
    public java.util.Optional<Instant> committedAt(long version) {
        return delegate.committedAt(version);
    }

    @Override
    public long lastVersionCommittedBy(Instant time) {
        return delegate.lastVersionCommittedBy(time);
    }

    @Override
    public long compact(Instant cutoff) {
        return delegate.compact(cutoff);
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
