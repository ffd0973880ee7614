package io.tether.sync.spi;

import java.util.Set;

/** The scopes a principal may read: all of them, or a finite set. */
public sealed interface ScopeSet {
    boolean contains(String scope);

    ScopeSet ALL = new All();

    static ScopeSet of(Set<String> scopes) {
        return new Only(Set.copyOf(scopes));
    }

    /** Every scope. */
    record All() implements ScopeSet {
        public boolean contains(String scope) {
            return true;
        }
    }

    /** Exactly these scopes. */
    record Only(Set<String> scopes) implements ScopeSet {
        public Only {
            scopes = Set.copyOf(scopes);
        }

        public boolean contains(String scope) {
            return scopes.contains(scope);
        }
    }
}
