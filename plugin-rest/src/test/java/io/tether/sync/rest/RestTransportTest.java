package io.tether.sync.rest;

import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.TransportException;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tether.sync.rest.Http.CODEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestTransportTest {
    static final String CLIENT = "6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01";
    static final PullResponse PAGE = new PullResponse(List.of(new DeliveredChange("tasks", "t1", Operation.UPSERT, 4,
            Map.of("id", "t1", "title", "x"))), "c2VxOjQ", false);

    ScriptedHub hub;

    @BeforeEach
    void start() throws Exception {
        hub = new ScriptedHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    RestTransport.Builder transport() {
        return RestTransport.builder(hub.uri()).codec(CODEC).token("t0").backoff(Duration.ofMillis(5),
                Duration.ofMillis(20)).jitterSeed(7);
    }

    static ScriptedHub.Answer ok(byte[] json) {
        return ScriptedHub.Answer.of(200, "application/json", json);
    }

    static ScriptedHub.Answer problem(ProblemType type, String detail) {
        return ScriptedHub.Answer.of(type.status(), "application/problem+json",
                CODEC.writeProblem(Problem.of(type, detail)));
    }

    @Test
    void pullSendsCursorLimitCollectionsAndHeaders() {
        hub.then(ok(CODEC.writePullResponse(PAGE)));
        try (RestTransport t = transport().schemaVersion(3).build()) {
            assertEquals(PAGE, t.pull(new PullRequest("c2VxOjE=", 50, Set.of("tasks", "projects"))));
        }
        ScriptedHub.Received r = hub.received.get(0);
        assertEquals("/sync/v1/pull", r.uri().getPath());
        assertEquals("cursor=c2VxOjE=&limit=50&collections=projects,tasks", r.uri().getQuery());
        assertEquals("Bearer t0", r.header("Authorization"));
        assertEquals("3", r.header("Tether-Schema-Version"));
        assertEquals("gzip", r.header("Accept-Encoding"));
    }

    @Test
    void serverErrorsAndRateLimitsAreRetriedThenSucceed() {
        hub.then(problem(ProblemType.INTERNAL, "boom"))
                .then(problem(ProblemType.RATE_LIMITED, "slow down").with("Retry-After", "0"))
                .then(ScriptedHub.Answer.of(503, "text/html", "<h1>maintenance</h1>".getBytes()))
                .then(ok(CODEC.writePullResponse(PAGE)));
        try (RestTransport t = transport().build()) {
            assertEquals(PAGE, t.pull(PullRequest.from(null, 10)));
        }
        assertEquals(4, hub.received.size());
    }

    @Test
    void exhaustedRetriesThrowARetryableTransportException() {
        for (int i = 0; i < 3; i++) {
            hub.then(problem(ProblemType.INTERNAL, "still broken"));
        }
        try (RestTransport t = transport().maxAttempts(3).build()) {
            TransportException e = assertThrows(TransportException.class, () -> t.schema());
            assertTrue(e.retryable());
            assertTrue(e.getMessage().contains("failed after 3 attempts"), e.getMessage());
            assertTrue(e.getMessage().contains("still broken"), e.getMessage());
        }
        assertEquals(3, hub.received.size());
    }

    /** A body over {@code maxResponseBytes}, as sent or once gunzipped (a gzip bomb), fails at once, unread. */
    @Test
    void aBodyLargerThanTheLimitFailsTheRequestWithoutRetries() throws Exception {
        PullResponse big = new PullResponse(List.of(new DeliveredChange("tasks", "t1", Operation.UPSERT, 4,
                Map.of("id", "t1", "title", "x".repeat(200_000)))), "c2VxOjQ", false);
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(zipped)) {
            out.write(new byte[20 * 1024 * 1024]);
        }
        assertTrue(zipped.size() < 64 * 1024, "the bomb itself is small: " + zipped.size());
        hub.then(ok(CODEC.writePullResponse(big)))
                .then(ok(zipped.toByteArray()).with("Content-Encoding", "gzip"))
                .then(ok(CODEC.writePullResponse(PAGE)));
        try (RestTransport t = transport().maxResponseBytes(64 * 1024).build()) {
            for (int i = 0; i < 2; i++) {
                TransportException e = assertThrows(TransportException.class, () -> t.pull(PullRequest.from(null, 10)));
                assertFalse(e.retryable());
                assertTrue(e.getMessage().contains("larger than 65536 bytes") && e.getMessage().contains(
                        "maxResponseBytes"), e.getMessage());
            }
            assertEquals(PAGE, t.pull(PullRequest.from(null, 10)), "a body within the limit is read");
        }
        assertEquals(3, hub.received.size(), "not retried");
        assertThrows(IllegalArgumentException.class, () -> transport().maxResponseBytes(1000));
    }

    @Test
    void retryAfterIsHonoured() {
        hub.then(problem(ProblemType.RATE_LIMITED, "slow down").with("Retry-After", "1"))
                .then(ok(CODEC.writePullResponse(PAGE)));
        long start = System.nanoTime();
        try (RestTransport t = transport().build()) {
            t.pull(PullRequest.from(null, 10));
        }
        assertTrue(System.nanoTime() - start >= 950_000_000L, "waited for Retry-After: 1");
    }

    @Test
    void longRetryAfterIsHandedToTheEngineAtOnce() {
        hub.then(ScriptedHub.Answer.of(503, "text/plain", "later".getBytes()).with("Retry-After", "120"));
        try (RestTransport t = transport().build()) {
            TransportException e = assertThrows(TransportException.class, () -> t.schema());
            assertTrue(e.retryable());
            assertEquals(Duration.ofSeconds(120), e.retryAfter().orElseThrow());
        }
        assertEquals(1, hub.received.size());
    }

    @Test
    void unauthorizedAsksTheTokenSupplierAgainOnce() {
        AtomicInteger asked = new AtomicInteger();
        hub.then(problem(ProblemType.UNAUTHORIZED, "token expired at 2026-01-01T00:00:00Z"))
                .then(ok(CODEC.writePullResponse(PAGE)));
        try (RestTransport t = transport().tokenSupplier(() -> "token-" + asked.incrementAndGet()).build()) {
            assertEquals(PAGE, t.pull(PullRequest.from(null, 10)));
        }
        assertEquals("Bearer token-1", hub.received.get(0).header("Authorization"));
        assertEquals("Bearer token-2", hub.received.get(1).header("Authorization"));
    }

    @Test
    void secondUnauthorizedIsAProblem() {
        hub.then(problem(ProblemType.UNAUTHORIZED, "bad")).then(problem(ProblemType.UNAUTHORIZED, "still bad"));
        try (RestTransport t = transport().build()) {
            ProblemException e = assertThrows(ProblemException.class, () -> t.schema());
            assertEquals(ProblemType.UNAUTHORIZED, e.type());
            assertEquals("still bad", e.problem().detail());
        }
        assertEquals(2, hub.received.size());
    }

    @Test
    void clientProblemsAreNotRetried() {
        hub.then(problem(ProblemType.CURSOR_EXPIRED, "cursor is older than the retention"));
        try (RestTransport t = transport().build()) {
            ProblemException e = assertThrows(ProblemException.class, () -> t.pull(PullRequest.from("old", 10)));
            assertEquals(ProblemType.CURSOR_EXPIRED, e.type());
            assertEquals(410, e.problem().status());
            assertNull(e.problem().latestVersion());
        }
        hub.then(ScriptedHub.Answer.of(410, "application/problem+json",
                CODEC.writeProblem(Problem.historyReset("the cursor is ahead of the hub's change history", 12,
                        java.time.Instant.ofEpochMilli(1_765_000_000_000L)))));
        try (RestTransport t = transport().build()) {
            ProblemException e = assertThrows(ProblemException.class, () -> t.pull(PullRequest.from("ahead", 10)));
            assertEquals(12L, e.problem().latestVersion(), "the extension members reach the replica");
            assertEquals(1_765_000_000_000L, e.problem().seenUntil().toEpochMilli());
        }
        hub.then(problem(ProblemType.SCHEMA_MISMATCH, "hub serves version 2"));
        try (RestTransport t = transport().build()) {
            assertEquals(ProblemType.SCHEMA_MISMATCH, assertThrows(ProblemException.class, t::schema).type());
        }
        assertEquals(3, hub.received.size());
    }

    @Test
    void errorPageWithoutAProblemBodyBecomesAProblemNamingTheUrl() {
        hub.then(ScriptedHub.Answer.of(404, "text/html", "<h1>Not Found</h1>".getBytes()));
        try (RestTransport t = transport().build()) {
            ProblemException e = assertThrows(ProblemException.class, t::schema);
            assertEquals(ProblemType.NOT_FOUND, e.type());
            assertTrue(e.problem().detail().contains(hub.uri().toString()), e.problem().detail());
        }
    }

    @Test
    void unreachableHubIsRetryable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RestTransport t = RestTransport.builder(URI.create("http://127.0.0.1:" + port)).codec(CODEC)
                .maxAttempts(2).backoff(Duration.ofMillis(1), Duration.ofMillis(2)).build()) {
            TransportException e = assertThrows(TransportException.class, t::schema);
            assertTrue(e.retryable());
            assertTrue(e.getMessage().contains("ConnectException"), e.getMessage());
        }
    }

    @Test
    void requestTimeoutIsRetryable() {
        hub.then(ok(CODEC.writePullResponse(PAGE)).delayed(1500)).then(ok(CODEC.writePullResponse(PAGE)).delayed(1500));
        try (RestTransport t = transport().requestTimeout(Duration.ofMillis(200)).maxAttempts(2).build()) {
            TransportException e = assertThrows(TransportException.class, () -> t.pull(PullRequest.from(null, 1)));
            assertTrue(e.retryable());
            assertInstanceOf(HttpTimeoutException.class, e.getCause());
        }
    }

    @Test
    void largePushIsSentGzipAndGzipResponsesAreRead() throws Exception {
        List<Change> changes = new ArrayList<>();
        List<PushResult> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String id = Change.changeId(CLIENT, i);
            changes.add(new Change(id, "tasks", "t" + i, Operation.UPSERT, Map.of("id", "t" + i, "title", "task"),
                    null, null, null));
            results.add(new PushResult.Applied(id, i + 1));
        }
        PushResponse answer = new PushResponse(results, "c2VxOjUw");
        hub.then(ok(Responses.gzip(CODEC.writePushResponse(answer))).with("Content-Encoding", "gzip"));
        PushRequest request = new PushRequest(CLIENT, changes);
        try (RestTransport t = transport().build()) {
            assertEquals(answer, t.push(request));
        }
        ScriptedHub.Received r = hub.received.get(0);
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals(request, CODEC.readPushRequest(r.decoded()));
    }

    @Test
    void smallPushOrGzipOffIsSentPlain() {
        hub.then(ok(CODEC.writePushResponse(new PushResponse(List.of(), "c"))));
        try (RestTransport t = transport().gzip(false).build()) {
            t.push(new PushRequest(CLIENT, List.of()));
        }
        assertNull(hub.received.get(0).header("Content-Encoding"));
        assertNull(hub.received.get(0).header("Accept-Encoding"));
    }

    @Test
    void closedTransportRefusesRequests() {
        RestTransport t = transport().build();
        t.close();
        t.close();
        TransportException e = assertThrows(TransportException.class, t::schema);
        assertFalse(e.retryable());
    }

    @Test
    void backoffIsBoundedJitteredAndSeeded() {
        RestTransport a = transport().backoff(Duration.ofMillis(100), Duration.ofMillis(1000)).jitterSeed(42).build();
        RestTransport b = transport().backoff(Duration.ofMillis(100), Duration.ofMillis(1000)).jitterSeed(42).build();
        for (int attempt = 1; attempt < 10; attempt++) {
            long delay = a.backoffMillis(attempt);
            assertTrue(delay >= 0 && delay <= Math.min(1000, 100L << (attempt - 1)), "attempt " + attempt + ": " + delay);
            assertEquals(delay, b.backoffMillis(attempt));
        }
        a.close();
        b.close();
    }

    @Test
    void retryAfterParsesSecondsAndHttpDates() {
        assertEquals(Duration.ofSeconds(7), RestTransport.parseRetryAfter("7"));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        Duration d = RestTransport.parseRetryAfter(date);
        assertTrue(d.getSeconds() >= 25 && d.getSeconds() <= 30, d.toString());
        assertNull(RestTransport.parseRetryAfter("soon"));
    }

    @Test
    void badBaseUrlIsAConfigurationError() {
        assertThrows(io.tether.sync.ConfigurationException.class, () -> RestTransport.builder(URI.create("ftp://x")));
        assertThrows(io.tether.sync.ConfigurationException.class, () -> RestTransport.builder(URI.create("/relative")));
    }

    @Test
    void baseUrlWithAPathPrefixIsKept() {
        hub.then(ok(CODEC.writeSchema(FakeHub.SCHEMA)));
        try (RestTransport t = RestTransport.builder(URI.create(hub.uri() + "/app/")).codec(CODEC).build()) {
            t.schema();
        }
        assertEquals("/app/sync/v1/schema", hub.received.get(0).uri().getPath());
    }
}
