package io.tether.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tether.sync.rest.JwtIssuer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of the sample hub ({@link HubApp}: Jetty, Hibernate, on H2 and on PostgreSQL) over HTTP: valid push, pull and schema
 * requests, each mutated at random (values of other types and extremes, fields removed, added, renamed or
 * duplicated, bodies cut or corrupted, wrong encodings, headers and methods). Whatever arrives, the hub never answers
 * 5xx, every error is an {@code application/problem+json} body naming its status, a refused request changes nothing,
 * an accepted push writes at most one version per change, and at the end everything the hub stored is still served
 * by a full pull. The same for WebSocket messages: whatever a socket sends, the hub answers with its messages or a
 * problem that is not {@code internal}, or closes the socket with a 4xxx code, never with 1011 (server error).
 * Rerun with {@code -Dtether.seed=<seed>}; runs longer with {@code -Dtether.fuzz.requests=N} and
 * {@code -Dtether.fuzz.sockets=N}.
 */
class HubFuzzTest {
    private static final String SECRET = "a-test-secret-of-at-least-32-bytes!";
    private static final String CLIENT = "6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01";
    /** Requests per run; {@code -Dtether.fuzz.requests=N} for a longer run. */
    private static final int REQUESTS = Integer.getInteger("tether.fuzz.requests", 600);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> PROBLEM_TYPES = Set.of("bad-request", "unauthorized", "forbidden", "not-found",
            "payload-too-large", "cursor-expired", "schema-mismatch", "rate-limited");

    private HubApp hub;
    private String alice;
    private String bob;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private int sequence;

    @BeforeAll
    static void quiet() {
        Logging.quiet();
    }

    private String schema;

    /** Starts a hub on H2 in memory, or on PostgreSQL in a fresh schema (skipped when PostgreSQL is not reachable). */
    private void startHub(String db) {
        HubApp.Settings settings = HubApp.Settings.defaults().host("127.0.0.1").port(0).jwtSecret(SECRET);
        if (db.equals("postgresql")) {
            schema = HubOnPostgresTest.createSchemaOrSkip();
            settings = HubOnPostgresTest.hubIn(schema, SECRET);
        }
        hub = HubApp.start(settings);
        alice = new JwtIssuer(SECRET).issue("alice", Duration.ofMinutes(10));
        bob = new JwtIssuer(SECRET).issue("bob", Duration.ofMinutes(10));
    }

    @AfterEach
    void stopHub() throws Exception {
        try {
            if (hub != null) {
                hub.close();
            }
        } finally {
            HubOnPostgresTest.dropSchema(schema);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void mutatedRequestsGetAnAnswerOrAProblemAndNeverA5xx(String db) throws Exception {
        startHub(db);
        Seeded.run(this::run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void mutatedSocketMessagesGetAnAnswerOrAProblemAndNeverAnInternalError(String db) throws Exception {
        startHub(db);
        Seeded.run(this::runSockets);
    }

    /** Sockets per run; {@code -Dtether.fuzz.sockets=N} for a longer run. */
    private static final int SOCKETS = Integer.getInteger("tether.fuzz.sockets", 60);
    private static final Set<String> HUB_MESSAGES = Set.of("welcome", "changes", "pushResult", "error", "resync");
    /** Close codes the hub may use: normal, going away, protocol error, bad payload, too big, and PROTOCOL.md's. */
    private static final Set<Integer> CLOSE_CODES = Set.of(1000, 1001, 1002, 1003, 1007, 1008, 1009, 4400, 4401, 4409);

    private void runSockets(Random random) throws Exception {
        URI uri = URI.create(hub.url().toString().replaceFirst("^http", "ws") + "/sync/v1/ws");
        String cursor = JSON.readTree(send(get("/sync/v1/pull?limit=1", alice)).body()).get("cursor").asText();
        int answered = 0;
        for (int s = 0; s < SOCKETS; s++) {
            List<String> sent = new ArrayList<>();
            Socket socket = new Socket();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, socket).get(10, TimeUnit.SECONDS);
            try {
                int messages = 1 + random.nextInt(5);
                for (int m = 0; m < messages && !socket.closed.isDone(); m++) {
                    ObjectNode message = m == 0 && random.nextInt(6) > 0 ? hello(random, cursor) : message(random);
                    for (int k = random.nextInt(m == 0 ? 2 : 3); k > 0; k--) {
                        mutate(random, message);
                    }
                    byte[] bytes = bytes(message);
                    if (random.nextInt(10) == 0) {
                        bytes = corrupt(random, bytes);
                    }
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    sent.add(abbreviate(text));
                    try {
                        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException closedMeanwhile) {
                        break;
                    }
                }
                String what = "socket " + s + " sent " + sent;
                for (String received : socket.drain()) {
                    JsonNode message = JSON.readTree(received);
                    String type = message.path("type").asText();
                    assertTrue(HUB_MESSAGES.contains(type), "unknown message " + received + " to " + what);
                    if (type.equals("error")) {
                        JsonNode problem = message.path("problem");
                        assertTrue(PROBLEM_TYPES.contains(problem.path("type").asText()),
                                "an error of type " + problem.path("type") + ": " + received + " to " + what);
                        assertFalse(problem.path("detail").asText().isBlank(), received + " to " + what);
                    } else {
                        answered++;
                    }
                }
                if (socket.closed.isDone()) {
                    int code = socket.closed.get();
                    assertTrue(CLOSE_CODES.contains(code), "closed with " + code + " after " + what);
                }
            } finally {
                ws.abort();
            }
        }
        assertTrue(answered > 0, "some sockets were answered");
        assertEquals(200, send(get("/sync/v1/schema", alice)).status(), "the hub keeps serving");
    }

    private ObjectNode hello(Random random, String cursor) {
        ObjectNode hello = NODES.objectNode().put("type", "hello").put("clientId", CLIENT)
                .put("token", random.nextInt(8) == 0 ? token(random) : alice).put("schemaVersion", 1);
        if (random.nextBoolean()) {
            hello.put("cursor", random.nextInt(4) == 0 ? junkCursor(random) : cursor);
        }
        return hello;
    }

    private ObjectNode message(Random random) {
        return switch (random.nextInt(4)) {
            case 0, 1 -> NODES.objectNode().put("type", "push").put("requestId", "r" + random.nextInt(100))
                    .set("changes", pushBody(random, 1 + random.nextInt(3)).get("changes"));
            case 2 -> NODES.objectNode().put("type", "ack").put("cursor", junkCursor(random));
            default -> NODES.objectNode().put("type", pick(random, "hello", "welcome", "changes", "nope", ""));
        };
    }

    /** Collects what the hub sends, and how it closes. */
    private static final class Socket implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder parts = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                received.add(parts.toString());
                parts.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            received.add("binary from the hub");
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        /** What arrived until the hub closed or stayed quiet for 200 ms. */
        List<String> drain() throws InterruptedException {
            List<String> out = new ArrayList<>();
            while (true) {
                String next = received.poll(200, TimeUnit.MILLISECONDS);
                if (next == null) {
                    received.drainTo(out);
                    return out;
                }
                out.add(next);
            }
        }
    }

    private void run(Random random) throws Exception {
        // records for pulls and updates to find
        for (int i = 0; i < 5; i++) {
            Reply seeded = send(post("/sync/v1/push", alice, bytes(pushBody(random, 3)), "application/json", null));
            assertEquals(200, seeded.status(), seeded.body());
        }
        List<String> cursors = new ArrayList<>();
        cursors.add(JSON.readTree(send(get("/sync/v1/pull?limit=2", alice)).body()).get("cursor").asText());
        int accepted = 0;
        String previous = "the seeding";
        for (int i = 0; i < REQUESTS; i++) {
            long headBefore = hub.store().headVersion();
            Attempt attempt = attempt(random, cursors);
            Reply reply;
            try {
                reply = send(attempt.request());
            } catch (IOException e) {
                throw new AssertionError("no answer (" + e + ") to " + attempt.what() + ", after " + previous, e);
            }
            previous = attempt.what() + " -> " + reply.status() + " " + reply.contentType() + " "
                    + abbreviate(reply.body());
            String what = attempt.what() + " -> " + reply.status() + " " + reply.body();
            assertTrue(reply.status() < 500, "a 5xx for what a client can send: " + what);
            long written = hub.store().headVersion() - headBefore;
            if (reply.status() >= 400) {
                checkProblem(reply, what);
                assertEquals(0, written, "a refused request wrote to the change log: " + what);
            } else if (attempt.pushed() >= 0) {
                JsonNode results = JSON.readTree(reply.body()).get("results");
                assertEquals(attempt.pushed(), results.size(), "one result per change: " + what);
                assertTrue(written <= attempt.pushed(), "more versions than changes: " + what);
                accepted++;
                if (random.nextInt(3) == 0) {
                    replay(attempt, results, what);
                }
            } else if (attempt.request().uri().getPath().equals("/sync/v1/pull")) {
                JsonNode page = JSON.readTree(reply.body());
                assertTrue(page.get("changes").isArray() && page.get("cursor").isTextual()
                        && page.get("hasMore").isBoolean(), what);
                cursors.add(page.get("cursor").asText());
            }
        }
        assertTrue(accepted > 0, "some mutated pushes were still valid and answered 200");
        // everything stored can still be served
        for (String token : List.of(alice, bob)) {
            String cursor = null;
            boolean more = true;
            while (more) {
                Reply page = send(get("/sync/v1/pull?limit=50" + (cursor == null ? ""
                        : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), token));
                assertEquals(200, page.status(), page.body());
                JsonNode body = JSON.readTree(page.body());
                cursor = body.get("cursor").asText();
                more = body.get("hasMore").asBoolean();
            }
        }
        assertEquals(200, send(get("/sync/v1/schema", alice)).status(), "the hub keeps serving");
    }

    /**
     * Sends an answered push again, as a client does that lost the answer: every change applied or merged the first
     * time is a {@code duplicate} of the version it produced, and only changes that were not applied (rejected, or a
     * conflict the hub resolved keeping its state) are judged again and may write.
     */
    private void replay(Attempt attempt, JsonNode first, String what) throws Exception {
        long headBefore = hub.store().headVersion();
        Reply again = send(attempt.request());
        assertEquals(200, again.status(), "a replay of an answered push: " + what + " -> " + again.body());
        JsonNode results = JSON.readTree(again.body()).get("results");
        int notAppliedBefore = 0;
        for (int i = 0; i < first.size(); i++) {
            String status = first.get(i).path("status").asText();
            if (status.equals("applied") || status.equals("merged")) {
                assertEquals("duplicate", results.get(i).path("status").asText(), "replayed: " + again.body()
                        + " after " + what);
                assertEquals(first.get(i).path("version").asLong(), results.get(i).path("version").asLong(),
                        "a duplicate names the version the change produced: " + again.body() + " after " + what);
            } else {
                notAppliedBefore++;
            }
        }
        assertTrue(hub.store().headVersion() - headBefore <= notAppliedBefore,
                "a replay applied a change twice: " + again.body() + " after " + what);
    }

    private static void checkProblem(Reply reply, String what) throws IOException {
        assertTrue(reply.contentType().startsWith("application/problem+json"), "not a problem: " + what);
        JsonNode problem = JSON.readTree(reply.body());
        assertTrue(PROBLEM_TYPES.contains(problem.path("type").asText()), "problem type: " + what);
        assertEquals(reply.status(), problem.path("status").asInt(), "problem status: " + what);
        assertFalse(problem.path("detail").asText().isBlank(), "problem detail: " + what);
        assertFalse(problem.path("title").asText().isBlank(), "problem title: " + what);
    }

    /** A request to send, what it is (for a failure's message), and how many changes it pushes (-1: no push). */
    private record Attempt(HttpRequest request, String what, int pushed) {
    }

    private Attempt attempt(Random random, List<String> cursors) throws IOException {
        int dice = random.nextInt(100);
        if (dice < 60) {
            return push(random);
        }
        if (dice < 85) {
            return pull(random, cursors);
        }
        if (dice < 92) {
            String path = pick(random, "/sync/v1/schema", "/sync/v1/push", "/sync/v1/pull", "/sync/v1/",
                    "/sync/v1/pushx", "/sync/v2/pull", "/", "/sync/v1/schema/../push", "/sync/v1/%00", "/sync//v1/pull");
            String method = pick(random, "GET", "PUT", "DELETE", "PATCH", "POST", "OPTIONS");
            HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + alice)
                    .method(method, HttpRequest.BodyPublishers.ofString("{}")).build();
            return new Attempt(request, method + " " + path, -1);
        }
        String query = pick(random, "", "?version=1", "?x=%ff", "?" + "a=".repeat(200));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.url() + "/sync/v1/schema" + query))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token(random)).GET();
        if (random.nextBoolean()) {
            b.header("Tether-Schema-Version", pick(random, "1", "0", "-1", "99999999999999999999", "x", "1.5", ""));
        }
        return new Attempt(b.build(), "schema " + query, -1);
    }

    private Attempt push(Random random) throws IOException {
        ObjectNode body = pushBody(random, 1 + random.nextInt(3));
        int mutations = random.nextInt(4);
        StringBuilder what = new StringBuilder("push");
        for (int m = 0; m < mutations; m++) {
            what.append(' ').append(mutate(random, body));
        }
        byte[] bytes = bytes(body);
        if (random.nextInt(8) == 0) {
            bytes = corrupt(random, bytes);
            what.append(" corrupted");
        }
        String contentType = random.nextInt(10) == 0
                ? pick(random, "text/plain", "application/xml", "application/json; charset=latin1", "") : "application/json";
        String encoding = null;
        if (random.nextInt(10) == 0) {
            encoding = pick(random, "gzip", "deflate", "br", "gzip, gzip");
            if (random.nextBoolean() && encoding.equals("gzip")) {
                bytes = gzip(bytes);
            }
        }
        String token = random.nextInt(12) == 0 ? token(random) : alice;
        JsonNode changes = body.get("changes");
        int pushed = changes != null && changes.isArray() ? changes.size() : -1;
        what.append(" type=").append(contentType).append(" encoding=").append(encoding).append(" body=")
                .append(abbreviate(new String(bytes, StandardCharsets.UTF_8)));
        return new Attempt(post("/sync/v1/push", token, bytes, contentType, encoding), what.toString(), pushed);
    }

    private Attempt pull(Random random, List<String> cursors) {
        List<String> params = new ArrayList<>();
        if (random.nextInt(4) > 0) {
            String cursor = random.nextInt(3) == 0 ? junkCursor(random) : cursors.get(random.nextInt(cursors.size()));
            params.add("cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        if (random.nextBoolean()) {
            params.add("limit=" + pick(random, "1", "0", "-1", "5000", "5001", "99999999999999999999", "1.5", "x", "",
                    "2147483648", "%203"));
        }
        if (random.nextInt(3) == 0) {
            params.add("collections=" + URLEncoder.encode(pick(random, "tasks", "projects,tasks", "nope", "",
                    ",", "tasks,tasks", "tasks;drop table tasks", "t".repeat(500)), StandardCharsets.UTF_8));
        }
        if (random.nextInt(10) == 0) {
            params.add(pick(random, "limit=1&limit=2", "unknown=1", "cursor", "collections", "limit=%31"));
        }
        String query = params.isEmpty() ? "" : "?" + String.join("&", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/sync/v1/pull" + query))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token(random)).GET().build();
        return new Attempt(request, "pull " + query, -1);
    }

    private String junkCursor(Random random) {
        String json = pick(random, "{}", "{\"v\":-1}", "[1,2]", "null", "{\"v\":99999999999999999999}", "\"x\"");
        return pick(random, "", "x", "%", "0", "-1", "9".repeat(40), "\u0000",
                Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)),
                Base64.getEncoder().encodeToString(randomBytes(random, 1 + random.nextInt(40))));
    }

    private String token(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> bob;
            case 1 -> "";
            case 2 -> "not.a.jwt";
            case 3 -> new JwtIssuer("another-secret-of-at-least-32-bytes!!").issue("alice", Duration.ofMinutes(5));
            case 4 -> alice.substring(0, alice.length() - 3);
            default -> alice;
        };
    }

    /** A valid push of {@code count} changes to tasks and projects of alice's. */
    private ObjectNode pushBody(Random random, int count) {
        ObjectNode body = NODES.objectNode().put("clientId", CLIENT);
        ArrayNode changes = body.putArray("changes");
        for (int i = 0; i < count; i++) {
            ObjectNode change = changes.addObject().put("changeId", CLIENT + ":" + String.format("%012d", ++sequence));
            boolean task = random.nextBoolean();
            String id = (task ? "t-" : "p-") + random.nextInt(12);
            change.put("collection", task ? "tasks" : "projects").put("id", id);
            if (random.nextInt(8) == 0) {
                change.put("op", "delete");
            } else {
                change.put("op", "upsert");
                ObjectNode data = change.putObject("data").put("id", id);
                if (task) {
                    data.put("title", "Task " + random.nextInt(1000)).put("done", random.nextBoolean());
                    if (random.nextBoolean()) {
                        data.put("priority", random.nextInt(5));
                    }
                    if (random.nextBoolean()) {
                        data.put("due", "2026-12-0" + (1 + random.nextInt(9)) + "T10:00:00Z");
                    }
                    if (random.nextInt(3) == 0) {
                        data.put("project_id", "p-" + random.nextInt(12));
                    }
                } else {
                    data.put("name", "Project " + random.nextInt(1000));
                }
                if (random.nextBoolean()) {
                    change.putArray("fields").add(task ? "title" : "name");
                }
            }
            if (random.nextBoolean()) {
                change.put("baseVersion", random.nextInt(20));
            }
            if (random.nextBoolean()) {
                change.put("hlc", String.format("%013d-%04x-node", 1_765_000_000_000L + random.nextInt(1000),
                        random.nextInt(65536)));
            }
        }
        return body;
    }

    /** Applies one random structural mutation to the tree; returns what it did. */
    private String mutate(Random random, ObjectNode root) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode object && !object.isEmpty()) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            String name = names.get(random.nextInt(names.size()));
            switch (random.nextInt(4)) {
                case 0 -> {
                    object.remove(name);
                    return "removed " + name;
                }
                case 1 -> {
                    object.set(pick(random, "unknown", "__proto__", "", "ID", name + " "), junk(random));
                    return "added a field beside " + name;
                }
                case 2 -> {
                    object.set(name + pick(random, "x", "_", "\u0000"), object.remove(name));
                    return "renamed " + name;
                }
                default -> {
                    object.set(name, junk(random));
                    return "replaced " + name;
                }
            }
        }
        if (target instanceof ArrayNode array) {
            if (!array.isEmpty() && random.nextBoolean()) {
                array.set(random.nextInt(array.size()), junk(random));
                return "replaced an element";
            }
            array.add(junk(random));
            return "added an element";
        }
        return "nothing";
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), out);
            }
        }
    }

    private JsonNode junk(Random random) {
        return switch (random.nextInt(18)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(0);
            case 4 -> NODES.numberNode(Long.MAX_VALUE);
            case 5 -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 6 -> NODES.numberNode(1.5);
            case 7 -> NODES.numberNode(1e308);
            case 8 -> NODES.textNode("");
            case 9 -> NODES.textNode("x".repeat(1 + random.nextInt(20_000)));
            case 10 -> NODES.textNode("\u0000\u0001\n\t\"\\ \ud83d\ude00 \ud800");
            case 11 -> NODES.textNode("'; drop table tasks; --");
            case 12 -> NODES.textNode("2026-13-45T25:61:61Z");
            case 13 -> NODES.arrayNode().add(1).add("a").addNull();
            case 14 -> NODES.objectNode().put("nested", true);
            case 15 -> NODES.textNode(DEEP + (1 + random.nextInt(3000))); // nesting, spelled out by bytes()
            case 16 -> NODES.textNode("t-" + random.nextInt(12));
            default -> NODES.textNode(pick(random, "upsert", "delete", "tasks", "projects", "insert", "UPSERT"));
        };
    }

    /** Marks a string that {@link #bytes} replaces with arrays nested that deep (deeper than a tree may be written). */
    private static final String DEEP = "@@deep@@";
    private static final Pattern DEEP_MARK = Pattern.compile("\"" + DEEP + "(\\d+)\"");

    private static byte[] bytes(JsonNode body) throws IOException {
        Matcher m = DEEP_MARK.matcher(JSON.writeValueAsString(body));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int depth = Integer.parseInt(m.group(1));
            m.appendReplacement(out, "[".repeat(depth) + "]".repeat(depth));
        }
        return m.appendTail(out).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] corrupt(Random random, byte[] bytes) {
        return switch (random.nextInt(4)) {
            case 0 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)); // cut short
            case 1 -> {
                byte[] copy = bytes.clone();
                copy[random.nextInt(copy.length)] = (byte) (0x80 + random.nextInt(0x80)); // invalid UTF-8
                yield copy;
            }
            case 2 -> (new String(bytes, StandardCharsets.UTF_8) + pick(random, "}", " x", "{}", "\u0000"))
                    .getBytes(StandardCharsets.UTF_8); // content after the value
            default -> {
                String text = new String(bytes, StandardCharsets.UTF_8);
                int at = text.indexOf("\"changeId\"");
                // a duplicate key
                yield (at < 0 ? text : text.substring(0, at) + "\"changeId\":\"dup\"," + text.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "…(" + s.length() + " chars)" : s;
    }

    private HttpRequest post(String path, String token, byte[] body, String contentType, String encoding) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!contentType.isEmpty()) {
            b.header("Content-Type", contentType);
        }
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return b.build();
    }

    private HttpRequest get(String pathAndQuery, String token) {
        return HttpRequest.newBuilder(URI.create(hub.url() + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build();
    }

    private record Reply(int status, String contentType, String body) {
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }
}
