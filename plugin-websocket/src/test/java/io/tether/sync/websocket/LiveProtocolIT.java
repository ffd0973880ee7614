package io.tether.sync.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.sync.spi.HubLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PROTOCOL.md section 7 spoken directly over a real socket: the handshake, bad input and its close codes. */
class LiveProtocolIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private WsFixture fx;

    @BeforeEach
    void start() {
        fx = new WsFixture(b -> b.helloTimeout(Duration.ofMillis(800)), HubLimits.DEFAULT);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private static String hello(String token, String cursor, Integer schemaVersion) {
        return "{\"type\":\"hello\",\"clientId\":\"" + UUID.randomUUID() + "\",\"token\":\"" + token + "\""
                + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"")
                + (schemaVersion == null ? "" : ",\"schemaVersion\":" + schemaVersion) + "}";
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private RawSocket helloed(String user) throws Exception {
        RawSocket s = RawSocket.open(fx.socket());
        s.send(hello(WsFixture.token(user), fx.hub.service().cursorAt(0), 1));
        assertEquals("welcome", json(s.next(5)).get("type").asText());
        return s;
    }

    @Test
    void helloGetsWelcomeThenCatchUpThenLiveChanges() throws Exception {
        fx.hubStore.put("notes", "n1", WsFixture.note("n1", 1));
        try (RawSocket s = helloed("ann")) {
            JsonNode page = json(s.next(5));
            assertEquals("changes", page.get("type").asText());
            assertEquals("n1", page.get("changes").get(0).get("id").asText());
            assertFalse(page.get("hasMore").asBoolean());
            fx.hubStore.put("notes", "n2", WsFixture.note("n2", 2));
            JsonNode live = json(s.next(5));
            assertEquals("n2", live.get("changes").get(0).get("id").asText());
            assertEquals(fx.hub.service().cursorAt(2), live.get("cursor").asText());
        }
    }

    @Test
    void firstMessageNotHelloCloses4400() throws Exception {
        try (RawSocket s = RawSocket.open(fx.socket())) {
            s.send("{\"type\":\"ack\",\"cursor\":\"abc\"}");
            assertEquals("error", json(s.next(5)).get("type").asText());
            assertEquals(4400, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void malformedFirstMessageCloses4400() throws Exception {
        try (RawSocket s = RawSocket.open(fx.socket())) {
            s.send("{\"type\":\"hello\",");
            JsonNode error = json(s.next(5));
            assertEquals("bad-request", error.get("problem").get("type").asText());
            assertEquals(4400, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void noHelloInTimeCloses4400() throws Exception {
        try (RawSocket s = RawSocket.open(fx.socket())) {
            assertEquals(4400, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void badTokenGetsErrorThen4401() throws Exception {
        try (RawSocket s = RawSocket.open(fx.socket())) {
            s.send(hello("not-a-jwt", null, 1));
            JsonNode error = json(s.next(5));
            assertEquals("error", error.get("type").asText());
            assertEquals("unauthorized", error.get("problem").get("type").asText());
            assertEquals(401, error.get("problem").get("status").asInt());
            assertEquals(4401, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void schemaMismatchGetsErrorThen4409() throws Exception {
        try (RawSocket s = RawSocket.open(fx.socket())) {
            s.send(hello(WsFixture.token("ann"), null, 7));
            JsonNode error = json(s.next(5));
            assertEquals("schema-mismatch", error.get("problem").get("type").asText());
            assertEquals(4409, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void malformedJsonAfterHelloGetsAnErrorAndTheSocketKeepsServing() throws Exception {
        try (RawSocket s = helloed("ann")) {
            s.send("{\"type\":\"push\",\"requestId\":");
            JsonNode error = json(s.next(5));
            assertEquals("error", error.get("type").asText());
            assertEquals("bad-request", error.get("problem").get("type").asText());
            s.send("{\"type\":\"push\",\"requestId\":\"r1\",\"changes\":[],\"extra\":1}");
            JsonNode unknownField = json(s.next(5));
            assertEquals("bad-request", unknownField.get("problem").get("type").asText());
            assertTrue(unknownField.get("problem").get("errors").size() > 0, unknownField.toString());
            s.sendBinary(new byte[]{1, 2, 3});
            assertEquals("bad-request", json(s.next(5)).get("problem").get("type").asText());
            s.send(hello(WsFixture.token("ann"), null, 1));
            assertEquals("bad-request", json(s.next(5)).get("problem").get("type").asText());
            s.send("{\"type\":\"ack\",\"cursor\":\"c2VxOjk5OQ\"}");
            assertEquals("bad-request", json(s.next(5)).get("problem").get("type").asText());
            // still serving: a push over the socket is answered
            String changeId = UUID.randomUUID() + ":000000000001";
            s.send("{\"type\":\"push\",\"requestId\":\"r2\",\"changes\":[{\"changeId\":\"" + changeId
                    + "\",\"collection\":\"notes\",\"id\":\"p1\",\"op\":\"upsert\",\"data\":{\"id\":\"p1\","
                    + "\"text\":\"x\",\"n\":1}}]}");
            JsonNode result = null;
            for (int i = 0; i < 3 && result == null; i++) {
                JsonNode m = json(s.next(5));
                if (m.get("type").asText().equals("pushResult")) {
                    result = m;
                }
            }
            assertEquals("r2", result.get("requestId").asText());
            assertEquals("applied", result.get("results").get(0).get("status").asText());
            assertTrue(fx.hubStore.get("notes", "p1").isPresent());
        }
        assertTrue(fx.hubStore.list("tasks").isEmpty(), "bad input changed nothing");
    }

    @Test
    void aGarbageCursorInHelloGetsAnErrorThen4400() throws Exception {
        try (RawSocket s = RawSocket.open(fx.socket())) {
            s.send(hello(WsFixture.token("ann"), "garbage!", 1));
            assertEquals("welcome", json(s.next(5)).get("type").asText());
            JsonNode error = json(s.next(5));
            assertEquals("bad-request", error.get("problem").get("type").asText());
            assertEquals(4400, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void anExpiredCursorGetsResync() throws Exception {
        fx.hubStore.put("notes", "n1", WsFixture.note("n1", 1));
        fx.hubStore.delete("notes", "n1");
        fx.hubStore.put("notes", "n2", WsFixture.note("n2", 2));
        fx.hub.compact();
        try (RawSocket s = RawSocket.open(fx.socket())) {
            s.send(hello(WsFixture.token("ann"), fx.hub.service().cursorAt(0), 1));
            assertEquals("welcome", json(s.next(5)).get("type").asText());
            assertEquals("resync", json(s.next(5)).get("type").asText());
            assertEquals(1000, s.awaitClose(Duration.ofSeconds(5)));
        }
    }

    @Test
    void pushTooLargeIsAProblemAndAppliesNothing() throws Exception {
        fx.close();
        fx = new WsFixture(b -> b, new HubLimits(2, 4L * 1024 * 1024, 500, 5000, 32));
        try (RawSocket s = helloed("ann")) {
            StringBuilder changes = new StringBuilder();
            String client = UUID.randomUUID().toString();
            for (int i = 1; i <= 3; i++) {
                changes.append(i > 1 ? "," : "").append("{\"changeId\":\"").append(client).append(":").append(i)
                        .append("\",\"collection\":\"notes\",\"id\":\"t").append(i)
                        .append("\",\"op\":\"upsert\",\"data\":{\"id\":\"t").append(i).append("\",\"text\":\"x\",\"n\":1}}");
            }
            s.send("{\"type\":\"push\",\"requestId\":\"big\",\"changes\":[" + changes + "]}");
            JsonNode m = json(s.next(5));
            assertEquals("error", m.get("type").asText(), m.toString());
            assertEquals("payload-too-large", m.get("problem").get("type").asText());
            assertTrue(fx.hubStore.list("notes").isEmpty());
        }
    }
}
