package io.tether.sync.core.internal;

import io.tether.sync.ConfigurationException;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.spi.Authenticator;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.ScopePolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Collects a hub's configuration; {@link #build()} checks it and builds a {@link Hub}. */
public final class HubBuilder extends EngineBuilder<HubBuilder> implements HubEngine.Builder {
    static final Set<String> ENGINE_KEYS = Set.of("conflict-policy", "conflict-policy.*", "retention",
            "schema-version", "node-poll-interval");

    HubStore store;
    final List<CollectionSchema> collections = new ArrayList<>();
    Integer schemaVersion;
    ConflictPolicy defaultPolicy;
    final Map<String, ConflictPolicy> policies = new LinkedHashMap<>();
    final Map<String, ConflictResolver> resolvers = new LinkedHashMap<>();
    ScopePolicy scopePolicy;
    Authenticator authenticator;
    HubLimits limits;
    Duration retention;
    String nodeId;

    @Override
    HubBuilder self() {
        return this;
    }

    @Override
    public HubBuilder store(HubStore store) {
        this.store = store;
        return this;
    }

    @Override
    public HubBuilder collection(CollectionSchema collection) {
        collections.add(Objects.requireNonNull(collection, "collection"));
        return this;
    }

    @Override
    public HubBuilder schemaVersion(int version) {
        if (version < 1) {
            throw new ConfigurationException("schema version must be positive, was " + version);
        }
        this.schemaVersion = version;
        return this;
    }

    @Override
    public HubBuilder conflictPolicy(ConflictPolicy policy) {
        this.defaultPolicy = policy;
        return this;
    }

    @Override
    public HubBuilder conflictPolicy(String collection, ConflictPolicy policy) {
        policies.put(Objects.requireNonNull(collection, "collection"), Objects.requireNonNull(policy, "policy"));
        return this;
    }

    @Override
    public HubBuilder conflictResolver(String collection, ConflictResolver resolver) {
        resolvers.put(Objects.requireNonNull(collection, "collection"), Objects.requireNonNull(resolver, "resolver"));
        return this;
    }

    @Override
    public HubBuilder scopePolicy(ScopePolicy policy) {
        this.scopePolicy = policy;
        return this;
    }

    @Override
    public HubBuilder authenticator(Authenticator authenticator) {
        this.authenticator = authenticator;
        return this;
    }

    @Override
    public HubBuilder limits(HubLimits limits) {
        this.limits = limits;
        return this;
    }

    @Override
    public HubBuilder retention(Duration retention) {
        this.retention = retention;
        return this;
    }

    @Override
    public HubBuilder nodeId(String nodeId) {
        this.nodeId = nodeId;
        return this;
    }

    @Override
    public HubEngine build() {
        if (store == null) {
            throw new ConfigurationException("A hub needs a store: pass one with store(...), for example "
                    + "MemoryStore.hub() or a JpaHubStore from io.tether:plugin-jpa.");
        }
        return new Hub(this);
    }
}
