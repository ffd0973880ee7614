package io.tether.sync.rest;

import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tether.sync.rest.Http.CODEC;
import static io.tether.sync.rest.Http.get;
import static io.tether.sync.rest.Http.post;
import static io.tether.sync.rest.Http.send;
import static io.tether.sync.rest.Http.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The servlet's HTTP contract (PROTOCOL.md sections 3 to 6) over real HTTP, against a scripted hub. */
class SyncServletTest {
    static final String ALICE = "alice-token";
    static final String CLIENT = "6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01";

    FakeHub hub;
    TetherServer server;
    URI base;

    @BeforeEach
    void start() {
        hub = new FakeHub();
        server = TetherServer.builder().hub(hub).codec(CODEC).host("127.0.0.1").port(0).build().start();
        base = server.uri();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    static byte[] pushBody(int changes, int titleLength) {
        List<Change> list = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            list.add(new Change(Change.changeId(CLIENT, i), "tasks", "t-" + i, Operation.UPSERT,
                    Map.of("id", "t-" + i, "title", "x".repeat(titleLength), "done", false), null, null, null));
        }
        return CODEC.writePushRequest(new PushRequest(CLIENT, list));
    }

    static Problem assertProblem(Http.Reply reply, int status, ProblemType type) {
        assertEquals(status, reply.status(), reply.text());
        Problem p = reply.problem();
        assertEquals(type, p.type());
        assertEquals(status, p.status());
        assertFalse(p.detail().isBlank());
        return p;
    }

    @Test
    void schemaIsServedAsJson() {
        Http.Reply r = send(get(base, "/sync/v1/schema", ALICE));
        assertEquals(200, r.status());
        assertEquals("application/json", r.header("Content-Type"));
        Schema schema = CODEC.readSchema(r.body());
        assertEquals(FakeHub.SCHEMA, schema);
    }

    @Test
    void pushIsHandedToTheHubAndItsResultsReturned() {
        Http.Reply r = send(post(base, "/sync/v1/push", ALICE, pushBody(2, 5)));
        assertEquals(200, r.status(), r.text());
        PushResponse response = CODEC.readPushResponse(r.body());
        assertEquals(2, response.results().size());
        assertEquals("applied", response.results().get(0).status());
        assertEquals(1, hub.pushes.size());
        assertEquals(2, hub.pushes.get(0).changes().size());
    }

    @Test
    void pullPassesCursorLimitAndCollections() {
        Http.Reply r = send(get(base, "/sync/v1/pull?cursor=abc&limit=7&collections=tasks", ALICE));
        assertEquals(200, r.status(), r.text());
        PullResponse page = CODEC.readPullResponse(r.body());
        assertEquals(3, page.changes().size());
        assertEquals("abc", hub.pulls.get(0).cursor());
        assertEquals(7, hub.pulls.get(0).limit());
        assertEquals(Set.of("tasks"), hub.pulls.get(0).collections());
    }

    @Test
    void pullWithoutLimitUsesTheHubDefault() {
        send(get(base, "/sync/v1/pull", ALICE));
        assertNull(hub.pulls.get(0).cursor());
        assertEquals(HubLimits.DEFAULT.defaultPullLimit(), hub.pulls.get(0).limit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5001", "99999", "99999999999999999999999"})
    void largeLimitIsClampedToTheMaximum(String limit) {
        assertEquals(200, send(get(base, "/sync/v1/pull?limit=" + limit, ALICE)).status());
        assertEquals(HubLimits.DEFAULT.maxPullLimit(), hub.pulls.get(0).limit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "1.5", "1e3", "", "%2B5", "0x10"})
    void limitThatIsNotAPositiveIntegerIsABadRequest(String limit) {
        Problem p = assertProblem(send(get(base, "/sync/v1/pull?limit=" + limit, ALICE)), 400,
                ProblemType.BAD_REQUEST);
        assertTrue(p.detail().startsWith("limit must be an integer >= 1"), p.detail());
        assertEquals("limit", p.errors().get(0).field());
        assertTrue(hub.pulls.isEmpty());
    }

    @Test
    void unknownQueryParameterIsABadRequest() {
        Problem p = assertProblem(send(get(base, "/sync/v1/pull?since=5", ALICE)), 400, ProblemType.BAD_REQUEST);
        assertEquals("unknown query parameter 'since'; /sync/v1/pull accepts collections, cursor, limit", p.detail());
        assertProblem(send(get(base, "/sync/v1/schema?x=1", ALICE)), 400, ProblemType.BAD_REQUEST);
        assertProblem(send(post(base, "/sync/v1/push?dryRun=true", ALICE, pushBody(1, 1))), 400,
                ProblemType.BAD_REQUEST);
        assertTrue(hub.pushes.isEmpty());
    }

    @Test
    void repeatedQueryParameterIsABadRequest() {
        Problem p = assertProblem(send(get(base, "/sync/v1/pull?limit=5&limit=6", ALICE)), 400,
                ProblemType.BAD_REQUEST);
        assertEquals("query parameter 'limit' appears more than once", p.detail());
    }

    @Test
    void unknownOrMalformedCollectionIsABadRequest() {
        Problem p = assertProblem(send(get(base, "/sync/v1/pull?collections=tasks,secrets", ALICE)), 400,
                ProblemType.BAD_REQUEST);
        assertEquals("unknown collection 'secrets'", p.detail());
        assertProblem(send(get(base, "/sync/v1/pull?collections=", ALICE)), 400, ProblemType.BAD_REQUEST);
        assertProblem(send(get(base, "/sync/v1/pull?collections=Tasks", ALICE)), 400, ProblemType.BAD_REQUEST);
        assertTrue(hub.pulls.isEmpty());
    }

    @Test
    void emptyOrAbsurdlyLongCursorIsABadRequest() {
        assertProblem(send(get(base, "/sync/v1/pull?cursor=", ALICE)), 400, ProblemType.BAD_REQUEST);
        String longCursor = "a".repeat(5000);
        Problem p = assertProblem(send(get(base, "/sync/v1/pull?cursor=" + longCursor, ALICE)), 400,
                ProblemType.BAD_REQUEST);
        assertTrue(p.detail().contains("5000 characters"), p.detail());
    }

    @Test
    void cursorExpiredFromTheHubIs410() {
        assertProblem(send(get(base, "/sync/v1/pull?cursor=expired", ALICE)), 410, ProblemType.CURSOR_EXPIRED);
    }

    @Test
    void unknownPathIs404Problem() {
        Problem p = assertProblem(send(get(base, "/sync/v1/nothing", ALICE)), 404, ProblemType.NOT_FOUND);
        assertTrue(p.detail().startsWith("no endpoint at /sync/v1/nothing"), p.detail());
        assertProblem(send(get(base, "/", null)), 404, ProblemType.NOT_FOUND);
        assertProblem(send(get(base, "/sync/v1/push/", ALICE)), 404, ProblemType.NOT_FOUND);
    }

    @Test
    void wrongMethodIs405ProblemWithAllow() {
        Http.Reply r = send(get(base, "/sync/v1/push", ALICE));
        Problem p = assertProblem(r, 405, ProblemType.METHOD_NOT_ALLOWED);
        assertEquals("POST", r.header("Allow"));
        assertEquals("/sync/v1/push accepts POST, not GET", p.detail());
        Http.Reply del = send(HttpRequest.newBuilder(URI.create(base + "/sync/v1/pull")).DELETE());
        assertProblem(del, 405, ProblemType.METHOD_NOT_ALLOWED);
        assertEquals("GET", del.header("Allow"));
    }

    @Test
    void missingTokenIs401WithWwwAuthenticate() {
        Http.Reply r = send(get(base, "/sync/v1/pull", null));
        Problem p = assertProblem(r, 401, ProblemType.UNAUTHORIZED);
        assertEquals("Bearer realm=\"tether\"", r.header("WWW-Authenticate"));
        assertEquals("missing Authorization header; send 'Authorization: Bearer <token>'", p.detail());
    }

    @Test
    void badTokenOrSchemeIs401WithTheReason() {
        Http.Reply bad = send(get(base, "/sync/v1/schema", "forged"));
        assertEquals("token signature is invalid", assertProblem(bad, 401, ProblemType.UNAUTHORIZED).detail());
        assertEquals("Bearer realm=\"tether\", error=\"invalid_token\"", bad.header("WWW-Authenticate"));
        Http.Reply basic = send(HttpRequest.newBuilder(URI.create(base + "/sync/v1/schema"))
                .header("Authorization", "Basic YTpi"));
        assertEquals("Authorization scheme 'Basic' is not supported; use Bearer",
                assertProblem(basic, 401, ProblemType.UNAUTHORIZED).detail());
        assertTrue(hub.pulls.isEmpty());
    }

    @Test
    void schemaVersionHeaderIsChecked() {
        assertEquals(200, send(get(base, "/sync/v1/schema", ALICE).header("Tether-Schema-Version", "1")).status());
        assertProblem(send(get(base, "/sync/v1/pull", ALICE).header("Tether-Schema-Version", "2")), 409,
                ProblemType.SCHEMA_MISMATCH);
        for (String bad : List.of("abc", "0", "-1", "1.0", "99999999999")) {
            Problem p = assertProblem(send(get(base, "/sync/v1/pull", ALICE).header("Tether-Schema-Version", bad)),
                    400, ProblemType.BAD_REQUEST);
            assertEquals("Tether-Schema-Version must be a positive integer, was '" + bad + "'", p.detail());
        }
        assertTrue(hub.pulls.isEmpty());
    }

    @Test
    void malformedJsonIs400AndNothingReachesTheHub() {
        for (String body : List.of("{", "not json", "{\"clientId\":\"" + CLIENT + "\",\"changes\":[]} trailing", "[]", "")) {
            assertProblem(send(post(base, "/sync/v1/push", ALICE, utf8(body))), 400, ProblemType.BAD_REQUEST);
        }
        assertTrue(hub.pushes.isEmpty());
    }

    @Test
    void bodyOverTheLimitIs413AndNothingReachesTheHub() {
        hub.limits = new HubLimits(1000, 2000, 500, 5000, 32);
        byte[] big = pushBody(10, 300);
        assertTrue(big.length > 2000);
        Problem p = assertProblem(send(post(base, "/sync/v1/push", ALICE, big)), 413, ProblemType.PAYLOAD_TOO_LARGE);
        assertTrue(p.detail().contains("2000 bytes"), p.detail());
        // without Content-Length (chunked): refused while reading
        Http.Reply chunked = send(HttpRequest.newBuilder(URI.create(base + "/sync/v1/push"))
                .header("Authorization", "Bearer " + ALICE)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
        assertProblem(chunked, 413, ProblemType.PAYLOAD_TOO_LARGE);
        assertTrue(hub.pushes.isEmpty());
    }

    @Test
    void gzipBombIsRefusedWith413() throws Exception {
        hub.limits = new HubLimits(1000, 10_000, 500, 5000, 32);
        byte[] bomb = Responses.gzip(new byte[5_000_000]);
        assertTrue(bomb.length < 10_000);
        Http.Reply r = send(post(base, "/sync/v1/push", ALICE, bomb).header("Content-Encoding", "gzip"));
        assertProblem(r, 413, ProblemType.PAYLOAD_TOO_LARGE);
        assertTrue(hub.pushes.isEmpty());
    }

    @Test
    void gzipRequestBodyIsDecoded() throws Exception {
        byte[] body = pushBody(3, 10);
        Http.Reply r = send(post(base, "/sync/v1/push", ALICE, Responses.gzip(body)).header("Content-Encoding", "gzip"));
        assertEquals(200, r.status(), r.text());
        assertEquals(3, hub.pushes.get(0).changes().size());
    }

    @Test
    void brokenGzipOrUnknownEncodingIsABadRequest() {
        Problem p = assertProblem(send(post(base, "/sync/v1/push", ALICE, utf8("{\"not\":\"gzip\"}"))
                .header("Content-Encoding", "gzip")), 400, ProblemType.BAD_REQUEST);
        assertTrue(p.detail().startsWith("the body is not valid gzip"), p.detail());
        Problem br = assertProblem(send(post(base, "/sync/v1/push", ALICE, pushBody(1, 1))
                .header("Content-Encoding", "br")), 400, ProblemType.BAD_REQUEST);
        assertEquals("Content-Encoding 'br' is not supported; send gzip or identity", br.detail());
        assertTrue(hub.pushes.isEmpty());
    }

    @Test
    void responsesAreGzipOnlyWhenAccepted() {
        hub.pageSize = 200;
        Http.Reply gz = send(get(base, "/sync/v1/pull", ALICE).header("Accept-Encoding", "gzip, deflate"));
        assertEquals("gzip", gz.header("Content-Encoding"));
        assertTrue(gz.raw().length < gz.body().length / 3);
        assertEquals(200, CODEC.readPullResponse(gz.body()).changes().size());
        assertNull(send(get(base, "/sync/v1/pull", ALICE)).header("Content-Encoding"));
        assertNull(send(get(base, "/sync/v1/pull", ALICE).header("Accept-Encoding", "gzip;q=0, identity"))
                .header("Content-Encoding"));
    }

    @Test
    void hubProblemsKeepTheirStatusAndType() {
        hub.failure = () -> new ProblemException(ProblemType.RATE_LIMITED, "slow down");
        Http.Reply r = send(get(base, "/sync/v1/pull", ALICE));
        assertEquals("slow down", assertProblem(r, 429, ProblemType.RATE_LIMITED).detail());
        assertEquals("1", r.header("Retry-After"));
    }

    @Test
    void genuineServerFaultIs500InternalWithoutLeakingTheCause() {
        hub.failure = () -> new IllegalStateException("database password is hunter2");
        Problem p = assertProblem(send(get(base, "/sync/v1/pull", ALICE)), 500, ProblemType.INTERNAL);
        assertFalse(p.detail().contains("hunter2"), p.detail());
        hub.failure = null;
        assertEquals(200, send(get(base, "/sync/v1/pull", ALICE)).status(), "the hub keeps serving");
    }

    @Test
    void servletWorksMountedUnderItsPrefixInAPlainContainer() throws Exception {
        org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server();
        org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        org.eclipse.jetty.ee10.servlet.ServletContextHandler ctx =
                new org.eclipse.jetty.ee10.servlet.ServletContextHandler("/app");
        ctx.addServlet(new org.eclipse.jetty.ee10.servlet.ServletHolder(new SyncServlet(hub, CODEC)), "/sync/v1/*");
        jetty.setHandler(ctx);
        jetty.start();
        try {
            URI app = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app");
            assertEquals(200, send(get(app, "/sync/v1/schema", ALICE)).status());
            assertProblem(send(get(app, "/sync/v1/nope", ALICE)), 404, ProblemType.NOT_FOUND);
        } finally {
            jetty.stop();
        }
    }

    @Test
    void extraServletsShareThePort() {
        server.stop();
        server = TetherServer.builder().hub(hub).codec(CODEC).host("127.0.0.1").port(0)
                .servlet("/hello", new jakarta.servlet.http.HttpServlet() {
                    @Override
                    protected void doGet(jakarta.servlet.http.HttpServletRequest req,
                                         jakarta.servlet.http.HttpServletResponse resp) throws java.io.IOException {
                        resp.getWriter().write("hi");
                    }
                }).build().start();
        base = server.uri();
        assertEquals("hi", send(get(base, "/hello", null)).text());
        assertEquals(200, send(get(base, "/sync/v1/schema", ALICE)).status());
    }

    @Test
    void cursorIsPassedUrlDecoded() {
        String cursor = "c2VxOjQ0+/=";
        send(get(base, "/sync/v1/pull?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8), ALICE));
        assertEquals(cursor, hub.pulls.get(0).cursor());
    }
}
