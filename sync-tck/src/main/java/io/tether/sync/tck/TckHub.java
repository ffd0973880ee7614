package io.tether.sync.tck;

import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Tether;
import io.tether.sync.spi.Authenticator;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.ScopePolicy;

import java.util.Map;

/**
 * The hub the transport, plugin and convergence kits run against: the engine on the class path (found by
 * {@link Tether}) over the store under test, the {@link TckSchema} collections, the owner scope policy, and bearer
 * tokens of the form {@code token-<principal>}.
 */
public final class TckHub {
    private TckHub() {
    }

    /** The bearer token of a principal. */
    public static String token(String principal) {
        return "token-" + principal;
    }

    /** Accepts {@code token-<name>} as principal {@code name}; refuses anything else as {@code unauthorized}. */
    public static Authenticator authenticator() {
        return token -> {
            if (token == null || !token.startsWith("token-") || token.length() == "token-".length()) {
                throw new ProblemException(ProblemType.UNAUTHORIZED, "the TCK knows no such token");
            }
            return Principal.of(token.substring("token-".length()));
        };
    }

    /** A hub builder over {@code store} with the TCK's schema, scope policy and authenticator. */
    public static HubEngine.Builder builder(HubStore store) {
        return Tether.hub()
                .store(store)
                .collection(TckSchema.TASKS)
                .collection(TckSchema.NOTES)
                .scopePolicy(ScopePolicy.owner())
                .authenticator(authenticator());
    }

    /** A pushed upsert. */
    public static Change upsert(String clientId, long sequence, String collection, String id,
                                Map<String, Object> data, long baseVersion) {
        return new Change(Change.changeId(clientId, sequence), collection, id, Operation.UPSERT, data, null,
                baseVersion, null);
    }

    /** A pushed delete. */
    public static Change delete(String clientId, long sequence, String collection, String id, long baseVersion) {
        return new Change(Change.changeId(clientId, sequence), collection, id, Operation.DELETE, null, null,
                baseVersion, null);
    }
}
