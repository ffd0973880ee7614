package io.tether.sync.rest;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.Operation;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.tether.sync.rest.Http.CODEC;
import static io.tether.sync.rest.Http.get;
import static io.tether.sync.rest.Http.post;
import static io.tether.sync.rest.Http.send;
import static io.tether.sync.rest.Http.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on every endpoint against a real hub (memory store) over HTTP: each request gets its 4xx problem
 * (or, where PROTOCOL.md section 3 says so, a {@code rejected} result) and the hub's store is unchanged after it.
 */
class BadInputIT {
    static final String CLIENT = "6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01";

    RestFixture f;
    URI base;
    String alice;
    String bob;
    Map<String, Map<String, Object>> before;
    long headBefore;

    @BeforeEach
    void seed() {
        f = new RestFixture(ConflictPolicy.FIELD_MERGE);
        base = f.server.uri();
        alice = RestFixture.token("alice");
        bob = RestFixture.token("bob");
        PushResponse r = CODEC.readPushResponse(send(post(base, "/sync/v1/push", alice, CODEC.writePushRequest(
                new PushRequest(CLIENT, List.of(upsert("seed-1", "a1", "alice's task", "alice"))))))
                .body());
        assertInstanceOf(PushResult.Applied.class, r.results().get(0));
        before = RestFixture.state(f.hubStore);
        headBefore = f.hubStore.headVersion();
    }

    @AfterEach
    void hubUnchangedAndStillServing() {
        try {
            assertEquals(before, RestFixture.state(f.hubStore), "the hub's records are unchanged");
            assertEquals(headBefore, f.hubStore.headVersion(), "nothing was written to the change log");
            assertEquals(200, send(get(base, "/sync/v1/schema", alice)).status(), "the hub keeps serving");
        } finally {
            f.close();
        }
    }

    static Change upsert(String changeId, String id, String title, String owner) {
        Map<String, Object> data = new HashMap<>();
        data.put("id", id);
        data.put("title", title);
        data.put("done", false);
        data.put("priority", null);
        if (owner != null) {
            data.put("owner_id", owner);
        }
        return new Change(CLIENT + ":" + changeId, "tasks", id, Operation.UPSERT, data, null, null, null);
    }

    static Problem problem(Http.Reply reply, int status, ProblemType type) {
        assertEquals(status, reply.status(), reply.text());
        Problem p = reply.problem();
        assertEquals(type, p.type());
        assertFalse(p.detail().isBlank());
        return p;
    }

    Http.Reply push(String token, String json) {
        return send(post(base, "/sync/v1/push", token, utf8(json)));
    }

    // ---- push: envelope errors are 400 problems ----

    @ParameterizedTest
    @ValueSource(strings = {
            "{", "not json", "", "[]", "null", "\"push\"",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[]} {}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[]}garbage"})
    void malformedPushJsonIs400(String body) {
        problem(push(alice, body), 400, ProblemType.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"clientId\":42,\"changes\":[]}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":{}}",
            "{\"clientId\":\"not-a-uuid\",\"changes\":[]}",
            "{\"clientId\":\"" + CLIENT + "\"}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":\"tasks\",\"id\":7,"
                    + "\"op\":\"delete\"}]}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":\"tasks\",\"id\":\"a1\","
                    + "\"op\":\"remove\"}]}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":\"tasks\",\"id\":\"a1\","
                    + "\"op\":\"delete\",\"baseVersion\":\"1\"}]}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":\"tasks\",\"id\":\"a1\","
                    + "\"op\":\"delete\",\"baseVersion\":1.5}]}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":\"tasks\",\"id\":\"a1\","
                    + "\"op\":\"upsert\",\"data\":\"a1\"}]}",
            "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":\"tasks\",\"id\":\"a1\","
                    + "\"op\":\"upsert\",\"data\":{\"id\":\"a1\"},\"fields\":\"title\"}]}"})
    void wrongTypesInThePushAre400WithTheField(String body) {
        Problem p = problem(push(alice, body), 400, ProblemType.BAD_REQUEST);
        assertFalse(p.errors().isEmpty(), "errors name the offending field: " + p.detail());
    }

    @Test
    void unknownEnvelopeFieldsAre400() {
        Problem p = problem(push(alice, "{\"clientId\":\"" + CLIENT + "\",\"changes\":[],\"force\":true}"), 400,
                ProblemType.BAD_REQUEST);
        assertTrue(p.errors().stream().anyMatch(e -> e.field().contains("force")), p.errors().toString());
        problem(push(alice, "{\"clientId\":\"" + CLIENT + "\",\"changes\":[{\"changeId\":\"x:1\",\"collection\":"
                + "\"tasks\",\"id\":\"a1\",\"op\":\"delete\",\"priority\":\"high\"}]}"), 400, ProblemType.BAD_REQUEST);
    }

    // ---- push: changes that are well-formed but never valid are rejected per change (PROTOCOL.md section 3) ----

    @Test
    void unknownCollectionFieldAndTypeAreRejectedPerChange() {
        Map<String, Object> badField = new HashMap<>(upsert("x", "n1", "t", "alice").data());
        badField.put("colour", "red");
        Map<String, Object> badType = new HashMap<>(upsert("x", "n2", "t", "alice").data());
        badType.put("done", "true");
        Map<String, Object> missing = new HashMap<>(upsert("x", "n3", "t", "alice").data());
        missing.remove("title");
        List<Change> changes = List.of(
                new Change(CLIENT + ":1", "secrets", "s1", Operation.UPSERT, Map.of("id", "s1"), null, null, null),
                new Change(CLIENT + ":2", "tasks", "n1", Operation.UPSERT, badField, null, null, null),
                new Change(CLIENT + ":3", "tasks", "n2", Operation.UPSERT, badType, null, null, null),
                new Change(CLIENT + ":4", "tasks", "n3", Operation.UPSERT, missing, null, null, null));
        Http.Reply r = send(post(base, "/sync/v1/push", alice, CODEC.writePushRequest(new PushRequest(CLIENT, changes))));
        assertEquals(200, r.status(), r.text());
        List<PushResult> results = CODEC.readPushResponse(r.body()).results();
        assertEquals(RejectReason.UNKNOWN_COLLECTION, ((PushResult.Rejected) results.get(0)).reason());
        for (int i = 1; i < 4; i++) {
            assertEquals(RejectReason.VALIDATION, ((PushResult.Rejected) results.get(i)).reason(), results.get(i).toString());
        }
    }

    @Test
    void anotherUsersRecordsCannotBeWritten() {
        List<Change> changes = List.of(
                upsert("b1", "a1", "bob overwrites", null),
                new Change(CLIENT + ":b2", "tasks", "a1", Operation.DELETE, null, null, 1L, null),
                upsert("b3", "n1", "planted on alice", "alice"));
        Http.Reply r = send(post(base, "/sync/v1/push", bob, CODEC.writePushRequest(new PushRequest(CLIENT, changes))));
        assertEquals(200, r.status(), r.text());
        for (PushResult result : CODEC.readPushResponse(r.body()).results()) {
            assertEquals(RejectReason.FORBIDDEN, assertInstanceOf(PushResult.Rejected.class, result).reason(),
                    result.toString());
        }
    }

    @Test
    void anotherUsersRecordsAreNeverDelivered() {
        PullResponse page = CODEC.readPullResponse(send(get(base, "/sync/v1/pull", bob)).body());
        assertTrue(page.changes().isEmpty(), page.changes().toString());
        PullResponse mine = CODEC.readPullResponse(send(get(base, "/sync/v1/pull", alice)).body());
        assertEquals(List.of("a1"), mine.changes().stream().map(c -> c.id()).toList());
    }

    // ---- push: limits ----

    @Test
    void oversizeBodyIs413() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            changes.add(upsert("big" + i, "big" + i, "x".repeat(5000), "alice"));
        }
        byte[] body = CODEC.writePushRequest(new PushRequest(CLIENT, changes));
        assertTrue(body.length > 4 * 1024 * 1024);
        problem(send(post(base, "/sync/v1/push", alice, body)), 413, ProblemType.PAYLOAD_TOO_LARGE);
    }

    @Test
    void tooManyChangesIs413() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            changes.add(upsert("n" + i, "n" + i, "t", "alice"));
        }
        Problem p = problem(send(post(base, "/sync/v1/push", alice,
                CODEC.writePushRequest(new PushRequest(CLIENT, changes)))), 413, ProblemType.PAYLOAD_TOO_LARGE);
        assertTrue(p.detail().contains("1001"), p.detail());
    }

    // ---- authentication, on every endpoint ----

    @ParameterizedTest
    @ValueSource(strings = {"/sync/v1/push", "/sync/v1/pull", "/sync/v1/schema"})
    void missingExpiredOrForgedTokensAre401(String path) {
        String expired = RestFixture.TOKENS.issue("alice", Instant.now().minusSeconds(7200),
                Instant.now().minusSeconds(3600));
        String forged = new JwtIssuer("some-other-secret-0123456789abcdefgh").issue("alice", Duration.ofHours(1));
        byte[] body = CODEC.writePushRequest(new PushRequest(CLIENT, List.of(upsert("t1", "n1", "t", "alice"))));
        for (String token : new String[]{null, expired, forged, "garbage"}) {
            HttpRequest.Builder req = path.endsWith("push") ? post(base, path, token, body) : get(base, path, token);
            Http.Reply r = send(req);
            Problem p = problem(r, 401, ProblemType.UNAUTHORIZED);
            assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"));
            if (token == expired) {
                assertTrue(p.detail().startsWith("token expired at"), p.detail());
            } else if (token == forged) {
                assertEquals("token signature is invalid", p.detail());
            }
        }
    }

    // ---- pull ----

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=-5", "limit=ten", "limit=2.5", "limit=", "cursor=", "collections=",
            "collections=secrets", "collections=tasks,,tasks", "since=0", "limit=1&limit=2"})
    void badPullParametersAre400(String query) {
        problem(send(get(base, "/sync/v1/pull?" + query, alice)), 400, ProblemType.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!", "c2VxOi0x", "c25hcDp4Onk", "AAAA", "seq:5"})
    void absurdCursorsAre400(String cursor) {
        problem(send(get(base, "/sync/v1/pull?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8), alice)),
                400, ProblemType.BAD_REQUEST);
    }

    /**
     * The engine answers a cursor ahead of its history as expired (a hub restored from a backup), with the newest
     * version it holds, so that the replica pushes again what it holds at later versions and resyncs.
     */
    @Test
    void cursorFromBeyondTheHeadIs410WithTheLatestVersion() {
        String future = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("seq:" + (headBefore + 1000)).getBytes(StandardCharsets.UTF_8));
        Http.Reply reply = send(get(base, "/sync/v1/pull?cursor=" + future, alice));
        assertEquals(headBefore, problem(reply, 410, ProblemType.CURSOR_EXPIRED).latestVersion());
        assertTrue(reply.text().contains("\"latestVersion\":" + headBefore), reply.text());
    }

    @Test
    void absurdlyLargeLimitIsClampedNotRefused() {
        Http.Reply r = send(get(base, "/sync/v1/pull?limit=99999999999999999999", alice));
        assertEquals(200, r.status(), r.text());
        assertEquals(1, CODEC.readPullResponse(r.body()).changes().size());
    }

    // ---- schema and routing ----

    @Test
    void schemaRefusesParametersAndBadVersions() {
        problem(send(get(base, "/sync/v1/schema?version=2", alice)), 400, ProblemType.BAD_REQUEST);
        problem(send(get(base, "/sync/v1/schema", alice).header("Tether-Schema-Version", "two")), 400,
                ProblemType.BAD_REQUEST);
        problem(send(get(base, "/sync/v1/schema", alice).header("Tether-Schema-Version", "7")), 409,
                ProblemType.SCHEMA_MISMATCH);
    }

    @Test
    void unknownPathsAndMethodsAreProblems() {
        problem(send(get(base, "/sync/v2/pull", alice)), 404, ProblemType.NOT_FOUND);
        problem(send(get(base, "/admin", alice)), 404, ProblemType.NOT_FOUND);
        Http.Reply put = send(HttpRequest.newBuilder(URI.create(base + "/sync/v1/push"))
                .header("Authorization", "Bearer " + alice).PUT(HttpRequest.BodyPublishers.ofString("{}")));
        problem(put, 405, ProblemType.METHOD_NOT_ALLOWED);
        assertEquals("POST", put.header("Allow"));
    }

    @Test
    void rawGarbageOnTheSocketGetsAProblemNotA500() throws Exception {
        String reply = RawHttp.exchange(base, "GET /sync/v1/pull?cursor=%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + alice + "\r\nConnection: close\r\n\r\n");
        assertTrue(reply.startsWith("HTTP/1.1 400"), reply);
        assertTrue(reply.contains("application/problem+json"), reply);
        String badRequestLine = RawHttp.exchange(base, "GARBAGE\r\n\r\n");
        assertTrue(badRequestLine.startsWith("HTTP/1.1 400"), badRequestLine);
        assertTrue(badRequestLine.contains("application/problem+json"), badRequestLine);
        String ambiguous = RawHttp.exchange(base, "GET /sync/v1/%2e%2e/v1/pull HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(ambiguous.startsWith("HTTP/1.1 4"), ambiguous);
        assertTrue(ambiguous.contains("application/problem+json"), ambiguous);
        // Jetty writes error pages for GET, POST and HEAD only: other methods get their problem too
        String emptySegment = RawHttp.exchange(base, "DELETE /sync//v1/pull HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(emptySegment.startsWith("HTTP/1.1 400"), emptySegment);
        assertTrue(emptySegment.contains("application/problem+json") && emptySegment.contains("empty segment"),
                emptySegment);
        // a request Jetty cannot parse: the reason is named, and the answer says the connection closes, which
        // Jetty does after it (a client reusing it would find it dead)
        String illegal = RawHttp.exchange(base, "GET /sync/v1/%00 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(illegal.startsWith("HTTP/1.1 400"), illegal);
        assertTrue(illegal.contains("application/problem+json") && illegal.contains("Illegal character in path")
                && illegal.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), illegal);
        String hugeHeader = RawHttp.exchange(base, "GET /sync/v1/schema HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
        assertTrue(hugeHeader.startsWith("HTTP/1.1 431"), hugeHeader);
        assertTrue(hugeHeader.contains("application/problem+json"), hugeHeader);
    }

    @Test
    void aRequestRefusedBeforeItsBodyWasReadIsAnsweredAndItsConnectionServesTheNext() throws Exception {
        // the body is read and dropped: unread, the connection was closed under it and the client saw a reset
        String body = "{\"clientId\":\"" + CLIENT + "\",\"changes\":[],\"pad\":\"" + "x".repeat(200_000) + "\"}";
        for (String headers : List.of("Authorization: Bearer not.a.jwt\r\n",
                "Authorization: Bearer " + alice + "\r\nContent-Encoding: br\r\n")) {
            String replies = RawHttp.exchange(base, "POST /sync/v1/push HTTP/1.1\r\nHost: x\r\n" + headers
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                    + "GET /sync/v1/schema HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice
                    + "\r\nConnection: close\r\n\r\n");
            assertTrue(replies.startsWith("HTTP/1.1 4") && replies.contains("application/problem+json"), replies);
            assertTrue(replies.contains("HTTP/1.1 200"), "the next request on the connection is answered: " + replies);
        }
    }

    @Test
    void clientIdThatIsNotAUuidIsRefused() {
        problem(push(alice, "{\"clientId\":\"" + UUID.randomUUID() + "x\",\"changes\":[]}"), 400,
                ProblemType.BAD_REQUEST);
    }
}
