package io.tether.sync.spi;

import java.util.Map;
import java.util.Set;

/**
 * Decides which scopes a principal may read and write, and which scope a new record gets. Every record has
 * exactly one scope; records of a collection without a scope field all have the scope {@link #SHARED}.
 * Implementations are thread-safe. The default ({@link #owner()}) gives each principal the scope named after it,
 * plus read and write of {@link #SHARED}.
 */
public interface ScopePolicy {
    /** The scope of records in collections that have no scope field. */
    String SHARED = "";

    /** Scopes the principal may read in a collection. */
    ScopeSet readable(Principal principal, CollectionSchema collection);

    /** Whether the principal may write a record in this scope. */
    boolean mayWrite(Principal principal, CollectionSchema collection, String scope);

    /**
     * The scope a record the principal creates is put in. {@code data} is the record as pushed. The default uses
     * the value of the scope field when present, else the principal's name.
     */
    default String scopeForNewRecord(Principal principal, CollectionSchema collection, Map<String, Object> data) {
        if (collection.scopeField() == null) {
            return SHARED;
        }
        Object requested = data == null ? null : data.get(collection.scopeField());
        return requested instanceof String s ? s : principal.name();
    }

    /** Each principal owns the scope named after it; unscoped collections are shared. */
    static ScopePolicy owner() {
        return new ScopePolicy() {
            @Override
            public ScopeSet readable(Principal principal, CollectionSchema collection) {
                return collection.scopeField() == null ? ScopeSet.of(Set.of(SHARED)) : ScopeSet.of(Set.of(principal.name()));
            }

            @Override
            public boolean mayWrite(Principal principal, CollectionSchema collection, String scope) {
                return collection.scopeField() == null ? SHARED.equals(scope) : principal.name().equals(scope);
            }
        };
    }

    /** Everybody reads and writes everything: for single-user apps and tests. */
    static ScopePolicy open() {
        return new ScopePolicy() {
            @Override
            public ScopeSet readable(Principal principal, CollectionSchema collection) {
                return ScopeSet.ALL;
            }

            @Override
            public boolean mayWrite(Principal principal, CollectionSchema collection, String scope) {
                return true;
            }
        };
    }
}
