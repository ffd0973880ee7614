package io.tether.sync.core.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/** Collects a replica's configuration; {@link #build()} checks it and builds a {@link Replica}. */
public final class ReplicaBuilder extends EngineBuilder<ReplicaBuilder> implements ReplicaEngine.Builder {
    static final Set<String> ENGINE_KEYS = Set.of("poll-interval", "debounce", "push-batch-size", "pull-page-size",
            "retry-initial", "retry-max");

    ReplicaStore store;
    SyncTransport transport;
    Schema schema;
    Duration pollInterval;
    Duration debounce;
    Duration retryInitial;
    Duration retryMax;
    Integer pushBatchSize;
    Integer pullPageSize;
    Long jitterSeed;

    @Override
    ReplicaBuilder self() {
        return this;
    }

    @Override
    public ReplicaBuilder store(ReplicaStore store) {
        this.store = store;
        return this;
    }

    @Override
    public ReplicaBuilder transport(SyncTransport transport) {
        this.transport = transport;
        return this;
    }

    @Override
    public ReplicaBuilder schema(Schema schema) {
        this.schema = schema;
        return this;
    }

    @Override
    public ReplicaBuilder pollInterval(Duration interval) {
        this.pollInterval = interval;
        return this;
    }

    @Override
    public ReplicaBuilder debounce(Duration delay) {
        this.debounce = delay;
        return this;
    }

    @Override
    public ReplicaBuilder retryBackoff(Duration initial, Duration max) {
        this.retryInitial = initial;
        this.retryMax = max;
        return this;
    }

    @Override
    public ReplicaBuilder pushBatchSize(int size) {
        this.pushBatchSize = size;
        return this;
    }

    @Override
    public ReplicaBuilder pullPageSize(int size) {
        this.pullPageSize = size;
        return this;
    }

    @Override
    public ReplicaBuilder jitterSeed(long seed) {
        this.jitterSeed = seed;
        return this;
    }

    @Override
    public ReplicaEngine build() {
        if (store == null) {
            throw new ConfigurationException("A replica needs a store: pass one with store(...), for example "
                    + "MemoryStore.replica() or a JpaReplicaStore from io.tether:plugin-jpa.");
        }
        return new Replica(this);
    }
}
