package io.tether.sync.spi;

import java.util.Objects;

/** One offending field of a bad request: a JSON-pointer-like path and what is wrong with it. */
public record FieldError(String field, String message) {
    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }
}
