package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.spi.ConflictResolver;

import java.util.Objects;

/** The resolvers of the built-in conflict policies (docs/internals.md, "Conflict policies"). */
public final class ConflictResolvers {
    private static final ConflictResolver SERVER_WINS = new ServerWins();
    private static final ConflictResolver CLIENT_WINS = new ClientWins();
    private static final ConflictResolver LAST_WRITER_WINS = new LastWriterWins();
    private static final ConflictResolver FIELD_MERGE = new FieldMerge();
    private static final ConflictResolver MANUAL = new Manual();

    private ConflictResolvers() {
    }

    /** The resolver of a policy; its {@link ConflictResolver#name()} is the policy's wire name. Thread-safe. */
    public static ConflictResolver of(ConflictPolicy policy) {
        return switch (Objects.requireNonNull(policy, "policy")) {
            case SERVER_WINS -> SERVER_WINS;
            case CLIENT_WINS -> CLIENT_WINS;
            case LAST_WRITER_WINS -> LAST_WRITER_WINS;
            case FIELD_MERGE -> FIELD_MERGE;
            case MANUAL -> MANUAL;
        };
    }
}
