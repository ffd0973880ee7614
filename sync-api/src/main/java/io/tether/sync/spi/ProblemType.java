package io.tether.sync.spi;

/** Problem types of PROTOCOL.md section 6, with their HTTP status and a title. */
public enum ProblemType {
    BAD_REQUEST("bad-request", 400, "Bad request"),
    UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    NOT_FOUND("not-found", 404, "Not found"),
    METHOD_NOT_ALLOWED("bad-request", 405, "Method not allowed"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    CURSOR_EXPIRED("cursor-expired", 410, "Cursor expired"),
    SCHEMA_MISMATCH("schema-mismatch", 409, "Schema mismatch"),
    RATE_LIMITED("rate-limited", 429, "Too many requests"),
    INTERNAL("internal", 500, "Internal error");

    private final String wireName;
    private final int status;
    private final String title;

    ProblemType(String wireName, int status, String title) {
        this.wireName = wireName;
        this.status = status;
        this.title = title;
    }

    public String wireName() {
        return wireName;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The type for a wire name and status; 405 maps to {@link #METHOD_NOT_ALLOWED}. */
    public static ProblemType fromWire(String wireName, int status) {
        for (ProblemType t : values()) {
            if (t.wireName.equals(wireName) && t.status == status) {
                return t;
            }
        }
        for (ProblemType t : values()) {
            if (t.wireName.equals(wireName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown problem type '" + wireName + "'");
    }
}
