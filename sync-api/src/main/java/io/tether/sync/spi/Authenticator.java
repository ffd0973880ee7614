package io.tether.sync.spi;

import io.tether.sync.ProblemException;

/**
 * Turns a bearer token into a principal. Implementations must be thread-safe and throw a
 * {@link ProblemException} of type {@link ProblemType#UNAUTHORIZED} with a precise detail ("token expired",
 * "bad signature") for any token they refuse.
 */
@FunctionalInterface
public interface Authenticator {
    Principal authenticate(String bearerToken);
}
