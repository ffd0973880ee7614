package io.tether.sync.spi;

import java.util.List;
import java.util.Objects;

/** An RFC 9457 problem as PROTOCOL.md section 6 shapes it. {@code errors} is empty unless a bad request. */
public record Problem(ProblemType type, String title, int status, String detail, List<FieldError> errors) {
    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
        title = title == null ? type.title() : title;
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, type.title(), type.status(), detail, List.of());
    }

    public static Problem badRequest(String detail, List<FieldError> errors) {
        return new Problem(ProblemType.BAD_REQUEST, ProblemType.BAD_REQUEST.title(), 400, detail, errors);
    }
}
