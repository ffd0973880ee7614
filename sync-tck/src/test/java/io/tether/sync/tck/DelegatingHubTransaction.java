package io.tether.sync.tck;

import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.HubWrite;

import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

/** A hub transaction that forwards everything: broken stores override the one thing they get wrong. */
class DelegatingHubTransaction implements HubTransaction {
    protected final HubTransaction tx;

    DelegatingHubTransaction(HubTransaction tx) {
        this.tx = tx;
    }

    @Override
    public void prefetch(String collection, Collection<String> ids) {
        tx.prefetch(collection, ids);
    }

    @Override
    public void prefetchApplied(String clientId, Collection<String> changeIds) {
        tx.prefetchApplied(clientId, changeIds);
    }

    @Override
    public Optional<HubRecord> read(String collection, String id) {
        return tx.read(collection, id);
    }

    @Override
    public OptionalLong appliedVersion(String clientId, String changeId) {
        return tx.appliedVersion(clientId, changeId);
    }

    @Override
    public long write(HubWrite write) {
        return tx.write(write);
    }

    @Override
    public void recordApplied(String clientId, String changeId, long version) {
        tx.recordApplied(clientId, changeId, version);
    }
}
