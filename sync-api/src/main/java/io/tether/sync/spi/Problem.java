package io.tether.sync.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9457 problem as PROTOCOL.md section 6 shapes it. {@code errors} is empty unless a bad request.
 *
 * @param latestVersion an extension member of {@code cursor-expired}, or null: present when the cursor is from a
 *                      history the hub no longer has (its data was restored from a backup), it is the last version
 *                      that history shares with the hub's, so that a replica knows which of its records the hub lost
 * @param seenUntil     with {@code latestVersion}, when known, or null: when the newest change the cursor had seen
 *                      committed, so that the records a replica pushes again are stamped as of then, before anything
 *                      the restored hub took since and after everything the backup holds
 */
public record Problem(ProblemType type, String title, int status, String detail, List<FieldError> errors,
                      Long latestVersion, Instant seenUntil) {
    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
        title = title == null ? type.title() : title;
        errors = errors == null ? List.of() : List.copyOf(errors);
        if (latestVersion != null && (type != ProblemType.CURSOR_EXPIRED || latestVersion < 0)) {
            throw new IllegalArgumentException("latestVersion belongs to cursor-expired and is not negative, was "
                    + latestVersion + " on " + type.wireName());
        }
        if (seenUntil != null && latestVersion == null) {
            throw new IllegalArgumentException("seenUntil comes with latestVersion");
        }
    }

    /** A problem without extension members. */
    public Problem(ProblemType type, String title, int status, String detail, List<FieldError> errors) {
        this(type, title, status, detail, errors, null, null);
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, type.title(), type.status(), detail, List.of());
    }

    public static Problem badRequest(String detail, List<FieldError> errors) {
        return new Problem(ProblemType.BAD_REQUEST, ProblemType.BAD_REQUEST.title(), 400, detail, errors);
    }

    /**
     * {@code cursor-expired} for a cursor of a history the hub no longer has (its data was restored from a backup):
     * {@code latestVersion} is the last version the two histories share, {@code seenUntil} (or null) when the newest
     * change the cursor had seen committed.
     */
    public static Problem historyReset(String detail, long latestVersion, Instant seenUntil) {
        ProblemType t = ProblemType.CURSOR_EXPIRED;
        return new Problem(t, t.title(), t.status(), detail, List.of(), latestVersion, seenUntil);
    }
}
