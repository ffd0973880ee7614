package io.tether.sync.spi;

import java.util.Map;
import java.util.Objects;

/** An authenticated user: {@code name} is the JWT {@code sub} by default; {@code claims} the token's claims. */
public record Principal(String name, Map<String, Object> claims) {
    public Principal {
        Objects.requireNonNull(name, "name");
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    public static Principal of(String name) {
        return new Principal(name, Map.of());
    }
}
