package io.tether.sync.rest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tether.sync.ConfigurationException;
import io.tether.sync.ProblemException;
import io.tether.sync.spi.Authenticator;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Validates signed JWT bearer tokens (PROTOCOL.md section 6) with nimbus-jose-jwt: HS256 with a shared secret,
 * or RS256 with an RSA public key (PEM) or the RSA keys of a JWKS file. It checks the signature, {@code exp}
 * (required), {@code nbf}, and the issuer and audience when configured, allowing a small clock skew; the
 * {@code sub} claim becomes the {@link Principal}'s name and every claim its claims. Refusals are
 * {@code unauthorized} problems whose detail says exactly what was wrong.
 *
 * <pre>{@code
 * Authenticator auth = JwtAuthenticator.hs256(secret).issuer("https://id.example.com").audience("tether").build();
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {
    /** The smallest HS256 secret accepted, in bytes (RFC 7518 section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    private final JWSAlgorithm algorithm;
    private final List<KeyedVerifier> verifiers;
    private final String issuer;
    private final String audience;
    private final Duration clockSkew;
    private final Clock clock;

    private record KeyedVerifier(String keyId, JWSVerifier verifier) {
    }

    private JwtAuthenticator(Builder b) {
        this.algorithm = b.algorithm;
        this.verifiers = List.copyOf(b.verifiers);
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.clockSkew = b.clockSkew;
        this.clock = b.clock;
    }

    /** Tokens signed with HS256 and this shared secret (at least {@value #MIN_SECRET_BYTES} bytes of UTF-8). */
    public static Builder hs256(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new ConfigurationException("The HS256 JWT secret is " + key.length + " bytes; it must be at least "
                    + MIN_SECRET_BYTES + " bytes (256 bits).");
        }
        try {
            return new Builder(JWSAlgorithm.HS256, List.of(new KeyedVerifier(null, new MACVerifier(key))));
        } catch (JOSEException e) {
            throw new ConfigurationException("The HS256 JWT secret is not usable: " + e.getMessage(), e);
        }
    }

    /** Tokens signed with RS256 by the private key of this public key. */
    public static Builder rs256(RSAPublicKey publicKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        return new Builder(JWSAlgorithm.RS256, List.of(new KeyedVerifier(null, new RSASSAVerifier(publicKey))));
    }

    /** Tokens signed with RS256; {@code pem} is an X.509 {@code -----BEGIN PUBLIC KEY-----} block. */
    public static Builder rs256Pem(String pem) {
        return rs256(parsePublicKey(pem));
    }

    /** Tokens signed with RS256 by one of the RSA keys of a JWKS file; a token's {@code kid} picks the key. */
    public static Builder jwks(Path file) {
        JWKSet set;
        try {
            set = JWKSet.load(file.toFile());
        } catch (IOException | ParseException e) {
            throw new ConfigurationException("JWKS file " + file + " could not be read: " + e.getMessage(), e);
        }
        List<KeyedVerifier> verifiers = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            if (jwk instanceof RSAKey rsa) {
                try {
                    verifiers.add(new KeyedVerifier(rsa.getKeyID(), new RSASSAVerifier(rsa.toRSAPublicKey())));
                } catch (JOSEException e) {
                    throw new ConfigurationException("JWKS file " + file + ": key '" + rsa.getKeyID()
                            + "' is not a usable RSA public key: " + e.getMessage(), e);
                }
            }
        }
        if (verifiers.isEmpty()) {
            throw new ConfigurationException("JWKS file " + file + " holds no RSA key; RS256 needs one.");
        }
        return new Builder(JWSAlgorithm.RS256, verifiers);
    }

    static RSAPublicKey parsePublicKey(String pem) {
        Objects.requireNonNull(pem, "pem");
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new ConfigurationException("The RS256 public key is not a PEM 'PUBLIC KEY' block holding an RSA key: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Principal authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw refuse("no bearer token");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(bearerToken.trim());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refuse("token is not a signed JWT: " + e.getMessage());
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!algorithm.equals(alg)) {
            throw refuse("token is signed with " + alg + "; this hub accepts " + algorithm);
        }
        verifySignature(jwt);
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refuse("token has no exp claim; tokens must expire");
        }
        if (now.isAfter(exp.toInstant().plus(clockSkew))) {
            throw refuse("token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minus(clockSkew))) {
            throw refuse("token is not valid before " + nbf.toInstant());
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw refuse(claims.getIssuer() == null ? "token has no iss claim; expected '" + issuer + "'"
                    : "token issuer '" + claims.getIssuer() + "' is not the expected '" + issuer + "'");
        }
        if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
            throw refuse(claims.getAudience() == null || claims.getAudience().isEmpty()
                    ? "token has no aud claim; expected '" + audience + "'"
                    : "token audience " + claims.getAudience() + " does not include '" + audience + "'");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw refuse("token has no sub claim naming the user");
        }
        Map<String, Object> claimMap = new LinkedHashMap<>();
        claims.toJSONObject().forEach((k, v) -> {
            if (v != null) {
                claimMap.put(k, v);
            }
        });
        return new Principal(subject, claimMap);
    }

    private void verifySignature(SignedJWT jwt) {
        String kid = jwt.getHeader().getKeyID();
        List<KeyedVerifier> candidates = verifiers;
        if (kid != null && verifiers.stream().anyMatch(v -> v.keyId() != null)) {
            candidates = verifiers.stream().filter(v -> kid.equals(v.keyId())).toList();
            if (candidates.isEmpty()) {
                throw refuse("token key id '" + kid + "' is not among this hub's keys");
            }
        }
        for (KeyedVerifier candidate : candidates) {
            try {
                if (jwt.verify(candidate.verifier())) {
                    return;
                }
            } catch (JOSEException e) {
                // not this key; try the next
            }
        }
        throw refuse("token signature is invalid");
    }

    private static ProblemException refuse(String detail) {
        return new ProblemException(ProblemType.UNAUTHORIZED, detail);
    }

    /** Configures a {@link JwtAuthenticator}; issuer and audience are unchecked unless set. */
    public static final class Builder {
        private final JWSAlgorithm algorithm;
        private final List<KeyedVerifier> verifiers;
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder(JWSAlgorithm algorithm, List<KeyedVerifier> verifiers) {
            this.algorithm = algorithm;
            this.verifiers = verifiers;
        }

        /** The required {@code iss}; {@code null} (default) does not check it. */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** A value {@code aud} must contain; {@code null} (default) does not check it. */
        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        /** The tolerance for {@code exp} and {@code nbf}. Default: 30 seconds; not negative. */
        public Builder clockSkew(Duration clockSkew) {
            if (clockSkew == null || clockSkew.isNegative()) {
                throw new IllegalArgumentException("clock skew must be zero or positive, was " + clockSkew);
            }
            this.clockSkew = clockSkew;
            return this;
        }

        /** The clock tokens are checked against. Default: the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JwtAuthenticator build() {
            return new JwtAuthenticator(this);
        }
    }
}
