package io.tether.sync.spi;

import io.tether.sync.ProblemException;
import io.tether.sync.Subscription;

import java.util.List;

/**
 * The hub's protocol logic (PROTOCOL.md sections 3 to 6), implemented once in sync-core. Transports parse the
 * wire, call these methods and render the results; they add no semantics. Every method throws
 * {@link ProblemException} for a request that must be answered with a problem. Thread-safe.
 */
public interface HubService {
    /** Authenticates a bearer token; throws a problem of type {@code unauthorized}. */
    Principal authenticate(String bearerToken);

    /**
     * Checks a replica's {@code Tether-Schema-Version}; {@code null} (header absent) is accepted. Throws a
     * problem of type {@code schema-mismatch}.
     */
    void checkSchemaVersion(Integer replicaVersion);

    /** Applies a push. Throws {@code payload-too-large} when the request exceeds the limits, applying nothing. */
    PushResponse push(Principal principal, PushRequest request);

    /** Serves a page. Throws {@code cursor-expired} (410) or {@code bad-request} for a malformed cursor. */
    PullResponse pull(Principal principal, PullRequest request);

    /** The served schema. */
    Schema schema();

    /** The request limits, for transports that enforce body size before parsing. */
    HubLimits limits();

    /**
     * Subscribes to changes as they commit on the hub, in commit order, for live delivery: every version once,
     * including those other hub nodes commit to the same store (read from its change log shortly after). Entries
     * are not filtered: callers filter per principal with {@link #mayRead}. The listener runs on the committing
     * thread or the engine's, one call at a time.
     */
    Subscription subscribe(CommitListener listener);

    /** Whether a principal may read a committed change (its collection and scope), for live fan-out. */
    boolean mayRead(Principal principal, LogEntry entry);

    /** The cursor that continues after a version, in the same opaque form pulls return. */
    String cursorAt(long version);

    /**
     * The cursor that continues after a committed change, as {@link #cursorAt(long)} at its version, without reading
     * the store for it (live fan-out asks for one per socket and change).
     */
    default String cursorAt(LogEntry entry) {
        return cursorAt(entry.version());
    }

    /** Receives committed hub changes in commit order. */
    @FunctionalInterface
    interface CommitListener {
        void onCommit(List<LogEntry> entries);
    }
}
