package io.tether.sync.rest;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tether.sync.ConfigurationException;
import io.tether.sync.ProblemException;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtAuthenticatorTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    static final Instant NOW = Instant.parse("2026-11-22T01:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    final JwtAuthenticator hs = JwtAuthenticator.hs256(SECRET).clock(CLOCK).build();
    final JwtIssuer issuer = new JwtIssuer(SECRET, null, null, CLOCK);

    static String refusal(JwtAuthenticator auth, String token) {
        ProblemException e = assertThrows(ProblemException.class, () -> auth.authenticate(token));
        assertEquals(ProblemType.UNAUTHORIZED, e.type());
        assertEquals(401, e.problem().status());
        return e.problem().detail();
    }

    @Test
    void validHs256TokenYieldsItsSubjectAndClaims() {
        Principal p = hs.authenticate(issuer.issue("alice", Duration.ofHours(1)));
        assertEquals("alice", p.name());
        assertEquals("alice", p.claims().get("sub"));
        assertTrue(p.claims().containsKey("exp"));
    }

    @Test
    void expiredTokenIsRefusedWithItsExpiry() {
        String token = issuer.issue("alice", NOW.minusSeconds(3600), NOW.minusSeconds(120));
        assertEquals("token expired at " + NOW.minusSeconds(120), refusal(hs, token));
    }

    @Test
    void expiryWithinClockSkewIsAccepted() {
        String token = issuer.issue("alice", NOW.minusSeconds(3600), NOW.minusSeconds(10));
        assertEquals("alice", hs.authenticate(token).name());
    }

    @Test
    void tokenNotYetValidIsRefused() {
        String token = issuer.issue("alice", NOW.plusSeconds(600), NOW.plusSeconds(3600));
        assertEquals("token is not valid before " + NOW.plusSeconds(600), refusal(hs, token));
    }

    @Test
    void tokenSignedWithAnotherSecretHasAnInvalidSignature() {
        String token = new JwtIssuer("another-secret-that-is-long-enough-000", null, null, CLOCK)
                .issue("alice", Duration.ofHours(1));
        assertEquals("token signature is invalid", refusal(hs, token));
    }

    @Test
    void tamperedPayloadHasAnInvalidSignature() {
        String[] parts = issuer.issue("alice", Duration.ofHours(1)).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"mallory\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}")
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("token signature is invalid", refusal(hs, parts[0] + "." + forged + "." + parts[2]));
    }

    @Test
    void garbageIsNotASignedJwt() {
        assertTrue(refusal(hs, "not-a-token").startsWith("token is not a signed JWT"));
    }

    @Test
    void unsignedAlgNoneTokenIsRefused() {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"alice\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}").getBytes());
        assertTrue(refusal(hs, header + "." + body + ".").startsWith("token is not a signed JWT"));
    }

    @Test
    void tokenWithoutSubjectIsRefused() throws Exception {
        String token = sign(new JWTClaimsSet.Builder().expirationTime(Date.from(NOW.plusSeconds(60))).build());
        assertEquals("token has no sub claim naming the user", refusal(hs, token));
    }

    @Test
    void tokenWithoutExpiryIsRefused() throws Exception {
        String token = sign(new JWTClaimsSet.Builder().subject("alice").build());
        assertEquals("token has no exp claim; tokens must expire", refusal(hs, token));
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() {
        JwtAuthenticator strict = JwtAuthenticator.hs256(SECRET).clock(CLOCK).issuer("https://id.example")
                .audience("tether").build();
        assertEquals("token has no iss claim; expected 'https://id.example'",
                refusal(strict, issuer.issue("alice", Duration.ofHours(1))));
        String wrongIssuer = new JwtIssuer(SECRET, "https://evil.example", "tether", CLOCK).issue("a", Duration.ofHours(1));
        assertEquals("token issuer 'https://evil.example' is not the expected 'https://id.example'",
                refusal(strict, wrongIssuer));
        String wrongAudience = new JwtIssuer(SECRET, "https://id.example", "billing", CLOCK).issue("a", Duration.ofHours(1));
        assertEquals("token audience [billing] does not include 'tether'", refusal(strict, wrongAudience));
        String good = new JwtIssuer(SECRET, "https://id.example", "tether", CLOCK).issue("alice", Duration.ofHours(1));
        assertEquals("alice", strict.authenticate(good).name());
    }

    @Test
    void shortSecretIsAConfigurationError() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> JwtAuthenticator.hs256("short"));
        assertTrue(e.getMessage().contains("at least 32 bytes"), e.getMessage());
    }

    @Test
    void rs256WithPemPublicKeyAcceptsItsSignaturesOnly() throws Exception {
        KeyPair keys = rsa();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        JwtAuthenticator rs = JwtAuthenticator.rs256Pem(pem).clock(CLOCK).build();
        assertEquals("bob", rs.authenticate(signRs(keys, null, "bob")).name());
        assertEquals("token signature is invalid", refusal(rs, signRs(rsa(), null, "bob")));
        assertEquals("token is signed with HS256; this hub accepts RS256",
                refusal(rs, issuer.issue("bob", Duration.ofHours(1))));
    }

    @Test
    void jwksFilePicksTheKeyByKeyId(@TempDir Path dir) throws Exception {
        KeyPair k1 = rsa();
        KeyPair k2 = rsa();
        JWKSet set = new JWKSet(java.util.List.of(
                new RSAKey.Builder((RSAPublicKey) k1.getPublic()).keyID("k1").build(),
                new RSAKey.Builder((RSAPublicKey) k2.getPublic()).keyID("k2").build()));
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, set.toString());
        JwtAuthenticator rs = JwtAuthenticator.jwks(file).clock(CLOCK).build();
        assertEquals("carol", rs.authenticate(signRs(k2, "k2", "carol")).name());
        assertEquals("token signature is invalid", refusal(rs, signRs(k1, "k2", "carol")));
        assertEquals("token key id 'k9' is not among this hub's keys", refusal(rs, signRs(k1, "k9", "carol")));
    }

    @Test
    void unreadableJwksFileIsAConfigurationError(@TempDir Path dir) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> JwtAuthenticator.jwks(dir.resolve("missing.json")));
        assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
    }

    private static String sign(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static String signRs(KeyPair keys, String kid, String subject) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(NOW.plusSeconds(600))).build());
        jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        return jwt.serialize();
    }
}
