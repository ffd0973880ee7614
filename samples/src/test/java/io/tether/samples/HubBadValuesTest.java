package io.tether.samples;

import io.tether.sync.rest.JwtIssuer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values the sample hub's tables cannot hold, pushed as raw JSON over HTTP to {@link HubApp} (Jetty, Hibernate, H2):
 * a title longer than its column or than a record the hub keeps, a priority beyond its 32-bit attribute, a change id
 * longer than the hub keeps.
 * Each is refused on its own (a {@code rejected} result, or a 400 naming the field), never with a 500, and the good
 * change of the same push is applied.
 */
class HubBadValuesTest {
    static final String SECRET = "a-test-secret-of-at-least-32-bytes!";
    static final String CLIENT = "6f1c0d52-2a52-4d3c-9d5e-6a8a7e1b9c01";

    HubApp hub;
    String token;
    final HttpClient http = HttpClient.newHttpClient();
    int sequence;

    @BeforeAll
    static void quiet() {
        Logging.quiet();
    }

    @BeforeEach
    void startHub() {
        hub = HubApp.start(HubApp.Settings.defaults().host("127.0.0.1").port(0).jwtSecret(SECRET));
        token = new JwtIssuer(SECRET).issue("alice", Duration.ofMinutes(5));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    String task(String id, String title, String more) {
        return "{\"changeId\":\"" + CLIENT + ":" + (++sequence) + "\",\"collection\":\"tasks\",\"id\":\"" + id
                + "\",\"op\":\"upsert\",\"data\":{\"id\":\"" + id + "\",\"title\":\"" + title + "\",\"done\":false"
                + more + "}}";
    }

    HttpResponse<String> push(String... changes) throws Exception {
        String body = "{\"clientId\":\"" + CLIENT + "\",\"changes\":[" + String.join(",", changes) + "]}";
        return http.send(HttpRequest.newBuilder(URI.create(hub.url() + "/sync/v1/push"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Pushes {@code bad} before a good task; the bad one is rejected for {@code reason}, the good one stored. */
    void rejectedBesideAGoodOne(String bad, String reason, String expected) throws Exception {
        String goodId = "good-" + sequence;
        HttpResponse<String> r = push(bad, task(goodId, "Fine", ""));
        assertEquals(200, r.statusCode(), r.body());
        String body = r.body();
        int second = body.indexOf("\"changeId\"", body.indexOf("\"changeId\"") + 1);
        String first = body.substring(0, second);
        assertTrue(first.contains("\"status\":\"rejected\"") && first.contains("\"reason\":\"" + reason + "\"")
                && first.contains(expected), body);
        assertTrue(body.substring(second).contains("\"version\""), "the good change was applied: " + body);
    }

    @Test
    void aTitleLongerThanItsColumnIsRejected() throws Exception {
        rejectedBesideAGoodOne(task("long", "t".repeat(100_000), ""), "validation", "too long");
        // under the 4 MiB body limit, but more than the hub keeps of one record
        rejectedBesideAGoodOne(task("longer", "t".repeat(3_000_000), ""), "too_large", "1,048,576");
    }

    @Test
    void aPriorityBeyondItsAttributeIsRejected() throws Exception {
        rejectedBesideAGoodOne(task("big", "Big", ",\"priority\":3000000000"), "validation", "32-bit");
        rejectedBesideAGoodOne(task("bigger", "Bigger", ",\"priority\":9223372036854775807"), "validation", "32-bit");
    }

    @Test
    void aChangeIdLongerThanTheHubKeepsIs400NamingIt() throws Exception {
        String change = task("t1", "Fine", "").replace(CLIENT + ":" + sequence, "c".repeat(300));
        HttpResponse<String> r = push(change);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("changes[0].changeId") && r.body().contains("at most 200"), r.body());
    }
}
