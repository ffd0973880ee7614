package io.tether.sync.core.internal.json;

import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Values;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.FieldError;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Readers refuse every kind of bad input with a bad-request problem that names the offending field. */
class JacksonProtocolCodecStrictnessTest {
    private static final String CLIENT = "6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01";
    private final JacksonProtocolCodec codec = new JacksonProtocolCodec();

    /** A push request whose second change has {@code fragment} spliced into an otherwise valid change. */
    private static String pushWith(String fragment) {
        return """
                { "clientId": "%s", "changes": [
                  { "changeId": "c:1", "collection": "tasks", "id": "t-0", "op": "delete" },
                  { %s } ] }""".formatted(CLIENT, fragment);
    }

    private static String upsertWith(String extra) {
        return pushWith("\"changeId\": \"c:2\", \"collection\": \"tasks\", \"id\": \"t-1\", \"op\": \"upsert\", "
                + "\"data\": {\"id\": \"t-1\"}" + extra);
    }

    static Stream<Arguments> badPushRequests() {
        String base = "\"changeId\": \"c:2\", \"collection\": \"tasks\", \"id\": \"t-1\"";
        return Stream.of(
                arguments("unknown envelope field", "{ \"clientId\": \"" + CLIENT + "\", \"changes\": [], \"x\": 1 }",
                        "x"),
                arguments("clientId missing", "{ \"changes\": [] }", "clientId"),
                arguments("clientId a number", "{ \"clientId\": 42, \"changes\": [] }", "clientId"),
                arguments("clientId not a UUID", "{ \"clientId\": \"abc\", \"changes\": [] }", "clientId"),
                arguments("changes missing", "{ \"clientId\": \"" + CLIENT + "\" }", "changes"),
                arguments("changes an object", "{ \"clientId\": \"" + CLIENT + "\", \"changes\": {} }", "changes"),
                arguments("change not an object", "{ \"clientId\": \"" + CLIENT + "\", \"changes\": [1] }",
                        "changes[0]"),
                arguments("unknown change field", upsertWith(", \"colour\": \"red\""), "changes[1].colour"),
                arguments("changeId missing", pushWith("\"collection\": \"tasks\", \"id\": \"t-1\", \"op\": \"delete\""),
                        "changes[1].changeId"),
                arguments("changeId a number", pushWith("\"changeId\": 7, \"collection\": \"tasks\", \"id\": \"t-1\","
                        + " \"op\": \"delete\""), "changes[1].changeId"),
                arguments("changeId too long", pushWith("\"changeId\": \"" + "c".repeat(201) + "\", \"collection\": "
                        + "\"tasks\", \"id\": \"t-1\", \"op\": \"delete\""), "changes[1].changeId"),
                arguments("collection missing", pushWith("\"changeId\": \"c:2\", \"id\": \"t-1\", \"op\": \"delete\""),
                        "changes[1].collection"),
                arguments("collection malformed", pushWith("\"changeId\": \"c:2\", \"collection\": \"Tasks\","
                        + " \"id\": \"t-1\", \"op\": \"delete\""), "changes[1].collection"),
                arguments("id missing", pushWith("\"changeId\": \"c:2\", \"collection\": \"tasks\", \"op\": \"delete\""),
                        "changes[1].id"),
                arguments("id a number", pushWith("\"changeId\": \"c:2\", \"collection\": \"tasks\", \"id\": 5,"
                        + " \"op\": \"delete\""), "changes[1].id"),
                arguments("id empty", pushWith("\"changeId\": \"c:2\", \"collection\": \"tasks\", \"id\": \"\","
                        + " \"op\": \"delete\""), "changes[1].id"),
                arguments("id too long", pushWith("\"changeId\": \"c:2\", \"collection\": \"tasks\", \"id\": \""
                        + "x".repeat(256) + "\", \"op\": \"delete\""), "changes[1].id"),
                arguments("op missing", pushWith(base), "changes[1].op"),
                arguments("op unknown", pushWith(base + ", \"op\": \"insert\""), "changes[1].op"),
                arguments("upsert without data", pushWith(base + ", \"op\": \"upsert\""), "changes[1].data"),
                arguments("upsert with null data", pushWith(base + ", \"op\": \"upsert\", \"data\": null"),
                        "changes[1].data"),
                arguments("data an array", pushWith(base + ", \"op\": \"upsert\", \"data\": []"), "changes[1].data"),
                arguments("delete with data", pushWith(base + ", \"op\": \"delete\", \"data\": {}"),
                        "changes[1].data"),
                arguments("data integer beyond long", upsertWith("").replace("{\"id\": \"t-1\"}",
                        "{\"id\": \"t-1\", \"n\": {\"deep\": [0, 92233720368547758070]}}"), "changes[1].data.n.deep[1]"),
                arguments("fields a string", upsertWith(", \"fields\": \"title\""), "changes[1].fields"),
                arguments("fields holding a number", upsertWith(", \"fields\": [\"title\", 3]"),
                        "changes[1].fields[1]"),
                arguments("baseVersion a string", upsertWith(", \"baseVersion\": \"17\""), "changes[1].baseVersion"),
                arguments("baseVersion 1.5", upsertWith(", \"baseVersion\": 1.5"), "changes[1].baseVersion"),
                arguments("baseVersion negative", upsertWith(", \"baseVersion\": -1"), "changes[1].baseVersion"),
                arguments("baseVersion beyond long", upsertWith(", \"baseVersion\": 99999999999999999999"),
                        "changes[1].baseVersion"),
                arguments("hlc malformed", upsertWith(", \"hlc\": \"1763765150123-1-n\""), "changes[1].hlc"),
                arguments("hlc a number", upsertWith(", \"hlc\": 1763765150123"), "changes[1].hlc"),
                arguments("duplicate key", upsertWith(", \"hlc\": null, \"hlc\": null"), "changes[1].hlc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPushRequests")
    void badPushRequestNamesTheField(String rule, String json, String field) {
        Problem problem = problem(() -> codec.readPushRequest(bytes(json)));
        assertTrue(fields(problem).contains(field), () -> rule + ": expected an error on " + field + " but got "
                + problem.errors() + " (" + problem.detail() + ")");
    }

    static Stream<Arguments> badResponses() {
        return Stream.of(
                arguments("hasMore \"true\"", "pull", "{ \"changes\": [], \"cursor\": \"c\", \"hasMore\": \"true\" }",
                        "hasMore"),
                arguments("cursor missing", "pull", "{ \"changes\": [], \"hasMore\": false }", "cursor"),
                arguments("delivered version 0", "pull", "{ \"changes\": [ { \"collection\": \"tasks\", \"id\": \"a\","
                        + " \"op\": \"delete\", \"version\": 0 } ], \"cursor\": \"c\", \"hasMore\": false }",
                        "changes[0].version"),
                arguments("delivered unknown field", "pull", "{ \"changes\": [ { \"collection\": \"tasks\","
                        + " \"id\": \"a\", \"op\": \"delete\", \"version\": 3, \"hlc\": \"x\" } ], \"cursor\": \"c\","
                        + " \"hasMore\": false }", "changes[0].hlc"),
                arguments("unknown status", "push", "{ \"results\": [ { \"changeId\": \"c\", \"status\": \"ok\" } ] }",
                        "results[0].status"),
                arguments("applied with record", "push", "{ \"results\": [ { \"changeId\": \"c\", \"status\":"
                        + " \"applied\", \"version\": 3, \"record\": {} } ] }", "results[0].record"),
                arguments("merged without record", "push", "{ \"results\": [ { \"changeId\": \"c\", \"status\":"
                        + " \"merged\", \"version\": 3 } ] }", "results[0].record"),
                arguments("conflict without resolution", "push", "{ \"results\": [ { \"changeId\": \"c\", \"status\":"
                        + " \"conflict\", \"version\": 3 } ] }", "results[0].resolution"),
                arguments("unknown reject reason", "push", "{ \"results\": [ { \"changeId\": \"c\", \"status\":"
                        + " \"rejected\", \"reason\": \"nope\" } ] }", "results[0].reason"),
                arguments("schema version a string", "schema", "{ \"version\": \"3\", \"collections\": [] }",
                        "version"),
                arguments("schema field type unknown", "schema", "{ \"version\": 1, \"collections\": [ { \"name\":"
                        + " \"tasks\", \"idField\": \"id\", \"fields\": [ { \"name\": \"id\", \"type\": \"uuid\","
                        + " \"nullable\": false } ] } ] }", "collections[0].fields[0].type"),
                arguments("schema nullable \"false\"", "schema", "{ \"version\": 1, \"collections\": [ { \"name\":"
                        + " \"tasks\", \"idField\": \"id\", \"fields\": [ { \"name\": \"id\", \"type\": \"string\","
                        + " \"nullable\": \"false\" } ] } ] }", "collections[0].fields[0].nullable"),
                arguments("problem status a string", "problem", "{ \"type\": \"internal\", \"title\": \"x\","
                        + " \"status\": \"500\", \"detail\": \"d\" }", "status"),
                arguments("live type unknown", "live", "{ \"type\": \"bye\" }", "type"),
                arguments("hello without token", "live", "{ \"type\": \"hello\", \"clientId\": \"" + CLIENT + "\" }",
                        "token"),
                arguments("hello schemaVersion 1.5", "live", "{ \"type\": \"hello\", \"clientId\": \"" + CLIENT
                        + "\", \"token\": \"t\", \"schemaVersion\": 1.5 }", "schemaVersion"),
                arguments("ack unknown field", "live", "{ \"type\": \"ack\", \"cursor\": \"c\", \"more\": 1 }", "more"),
                arguments("error problem invalid", "live", "{ \"type\": \"error\", \"problem\": { \"type\":"
                        + " \"internal\", \"status\": 500 } }", "problem.detail"),
                arguments("push change invalid", "live", "{ \"type\": \"push\", \"requestId\": \"r\", \"changes\": ["
                        + " { \"changeId\": \"c\", \"collection\": \"tasks\", \"id\": \"a\", \"op\": \"upsert\" } ] }",
                        "changes[0].data"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResponses")
    void badResponsesAndMessagesNameTheField(String rule, String reader, String json, String field) {
        Problem problem = problem(() -> {
            switch (reader) {
                case "pull" -> codec.readPullResponse(bytes(json));
                case "push" -> codec.readPushResponse(bytes(json));
                case "schema" -> codec.readSchema(bytes(json));
                case "problem" -> codec.readProblem(bytes(json));
                default -> codec.readLiveMessage(json);
            }
        });
        assertTrue(fields(problem).contains(field), () -> rule + ": expected an error on " + field + " but got "
                + problem.errors());
    }

    @Test
    void everyOffendingFieldIsReportedNotJustTheFirst() {
        String json = """
                { "clientId": 1, "changes": [
                  { "changeId": "c:1", "collection": "tasks", "id": "a", "op": "upsert", "data": {}, "baseVersion": 1.5 },
                  { "changeId": "c:2", "collection": "tasks", "id": "b", "op": "delete", "hlc": "nope" } ] }""";
        Problem problem = problem(() -> codec.readPushRequest(bytes(json)));
        assertEquals(List.of("clientId", "changes[0].baseVersion", "changes[1].hlc"), fields(problem));
        assertTrue(problem.detail().contains("clientId"), problem.detail());
    }

    @Test
    void errorListIsCappedAtFifty() {
        String changes = Stream.generate(() -> "{ \"op\": \"nope\" }").limit(30).collect(Collectors.joining(","));
        Problem problem = problem(() -> codec.readPushRequest(bytes(
                "{ \"clientId\": \"" + CLIENT + "\", \"changes\": [" + changes + "] }")));
        assertEquals(WireReader.MAX_ERRORS, problem.errors().size());
        assertTrue(problem.detail().contains("the first 50 listed"), problem.detail());
    }

    @Test
    void contentAfterTheValueIsMalformed() {
        Problem problem = problem(() -> codec.readPushRequest(bytes(
                "{ \"clientId\": \"" + CLIENT + "\", \"changes\": [] } {}")));
        assertTrue(problem.detail().contains("content after the JSON value"), problem.detail());
        assertEquals(List.of(WireReader.ROOT), fields(problem));
    }

    @Test
    void syntaxErrorIsMalformed() {
        Problem problem = problem(() -> codec.readPushRequest(bytes("{ \"clientId\": ")));
        assertTrue(problem.detail().contains("malformed JSON"), problem.detail());
        Problem nested = problem(() -> codec.readPushRequest(bytes(
                "{ \"clientId\": \"" + CLIENT + "\", \"changes\": [ {}, { \"id\": tru } ] }")));
        assertEquals(List.of("changes[1].id"), fields(nested), nested.detail());
    }

    @Test
    void emptyBodyIsABadRequest() {
        Problem problem = problem(() -> codec.readPushRequest(new byte[0]));
        assertTrue(problem.detail().contains("empty"), problem.detail());
        Problem blank = problem(() -> codec.readPushRequest(bytes("  \n ")));
        assertTrue(blank.detail().contains("empty"), blank.detail());
    }

    @Test
    void nonObjectBodyIsABadRequest() {
        Problem problem = problem(() -> codec.readPushRequest(bytes("[]")));
        assertTrue(problem.detail().contains("must be a JSON object"), problem.detail());
        assertEquals(List.of(WireReader.ROOT), fields(problem));
    }

    @Test
    void problemExtensionMembersAreIgnored() {
        Problem problem = codec.readProblem(bytes("""
                { "type": "not-found", "title": "Not found", "status": 404, "detail": "no such path",
                  "instance": "/sync/v1/nope" }"""));
        assertEquals(ProblemType.NOT_FOUND, problem.type());
    }

    @Test
    void storedTextIsParsedWhenReadAndPassedOnAsItIsWhenWritten() {
        String text = "{\"id\":\"t1\",\"title\":\"Buy \\\"milk\\\"\",\"done\":false,\"n\":7}";
        Map<String, Object> data = codec.read(text);
        assertEquals(text, Values.jsonText(data));
        assertEquals(text, codec.write(data), "stored text is written back as it is");
        assertEquals(7L, data.get("n"));
        assertEquals(codec.read(codec.write(Map.of("n", 7L, "done", false, "id", "t1", "title", "Buy \"milk\""))),
                data, "equal data, whatever the key order of the text");

        Map<String, Object> unparsable = Values.ofJson(text, t -> {
            throw new AssertionError("a pull response must not parse stored data to write it");
        });
        byte[] page = codec.writePullResponse(new PullResponse(
                List.of(new DeliveredChange("tasks", "t1", Operation.UPSERT, 3, unparsable)), "c", false));
        PullResponse read = codec.readPullResponse(page);
        assertEquals(Map.of("id", "t1", "title", "Buy \"milk\"", "done", false, "n", 7L),
                read.changes().get(0).data());
    }

    @Test
    void jsonTextRefusesNonObjects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.read("[1]").size());
        assertTrue(e.getMessage().contains("must be a JSON object"), e.getMessage());
    }

    @Test
    void jsonTextRefusesWhatThisCodecNeverWrites() {
        Map<String, String> cases = Map.of(
                "{\"a\":1} {}", "content after its object",
                "{\"a\":1,\"a\":2}", "Duplicate field 'a'",
                "{\"n\":123456789012345678901234567890}", "beyond 64 bits",
                "{\"n\":1e999}", "out of range",
                "{\"a\":", "not valid JSON object text");
        cases.forEach((text, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.read(text).size(),
                    text);
            assertTrue(e.getMessage().contains(message), text + ": " + e.getMessage());
        });
    }

    private static Problem problem(org.junit.jupiter.api.function.Executable read) {
        ProblemException e = assertThrows(ProblemException.class, read);
        assertEquals(ProblemType.BAD_REQUEST, e.type());
        assertEquals(400, e.problem().status());
        return e.problem();
    }

    private static List<String> fields(Problem problem) {
        return problem.errors().stream().map(FieldError::field).toList();
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
