package io.tether.sync.spi;

import java.util.Map;

/**
 * What a pull may see: the collections to include, each with the scopes the principal may read there.
 * A store returns an entry only when its collection is a key and its scope is in that collection's set.
 */
public record PullFilter(Map<String, ScopeSet> scopesByCollection) {
    public PullFilter {
        scopesByCollection = Map.copyOf(scopesByCollection);
    }

    public boolean accepts(String collection, String scope) {
        ScopeSet scopes = scopesByCollection.get(collection);
        return scopes != null && scopes.contains(scope);
    }
}
