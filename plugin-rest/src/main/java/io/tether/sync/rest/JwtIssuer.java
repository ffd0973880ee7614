package io.tether.sync.rest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tether.sync.ConfigurationException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;

/**
 * Issues HS256 tokens that a {@link JwtAuthenticator#hs256} with the same secret accepts: for development hubs,
 * samples and tests. Production deployments use a real identity provider. Immutable and thread-safe.
 *
 * <pre>{@code
 * String token = new JwtIssuer(secret).issue("alice", Duration.ofHours(1));
 * }</pre>
 */
public final class JwtIssuer {
    private final MACSigner signer;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    /** An issuer with no {@code iss} and {@code aud} claims. */
    public JwtIssuer(String secret) {
        this(secret, null, null, Clock.systemUTC());
    }

    /** An issuer that sets {@code iss} and {@code aud} when they are not null. */
    public JwtIssuer(String secret, String issuer, String audience, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < JwtAuthenticator.MIN_SECRET_BYTES) {
            throw new ConfigurationException("The HS256 JWT secret is " + key.length + " bytes; it must be at least "
                    + JwtAuthenticator.MIN_SECRET_BYTES + " bytes (256 bits).");
        }
        try {
            this.signer = new MACSigner(key);
        } catch (JOSEException e) {
            throw new ConfigurationException("The HS256 JWT secret is not usable: " + e.getMessage(), e);
        }
        this.issuer = issuer;
        this.audience = audience;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A fresh random secret (256 bits, base64url) for a development hub. */
    public static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A token for {@code subject}, valid from now for {@code ttl}. */
    public String issue(String subject, Duration ttl) {
        Instant now = clock.instant();
        return issue(subject, now, now.plus(ttl));
    }

    /** A token for {@code subject} valid from {@code notBefore} until {@code expiresAt}. */
    public String issue(String subject, Instant notBefore, Instant expiresAt) {
        Objects.requireNonNull(subject, "subject");
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(clock.instant()))
                .notBeforeTime(Date.from(notBefore))
                .expirationTime(Date.from(expiresAt));
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (audience != null) {
            claims.audience(audience);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
