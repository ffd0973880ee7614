package io.tether.sync.websocket;

import io.tether.sync.Operation;
import io.tether.sync.spi.LogEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared live log, cursor reading and the fast ack path. */
class LiveLogTest {
    private static LogEntry entry(long v) {
        return new LogEntry(v, "notes", "n" + v, Operation.UPSERT, Map.of("id", "n" + v), "", Instant.EPOCH);
    }

    @Test
    void slicesAfterAVersionInOrderAndReportsMore() {
        LiveLog log = new LiveLog(10);
        log.append(List.of(entry(3), entry(4), entry(7)));
        log.append(List.of(entry(8)));
        LiveLog.Slice s = log.after(3, 2);
        assertEquals(List.of(4L, 7L), s.entries().stream().map(LogEntry::version).toList());
        assertTrue(s.more());
        assertEquals(7, s.last());
        assertEquals(List.of(8L), log.after(7, 5).entries().stream().map(LogEntry::version).toList());
        assertTrue(log.after(8, 5).entries().isEmpty());
        assertEquals(List.of(3L, 4L, 7L, 8L), log.after(0, 10).entries().stream().map(LogEntry::version).toList());
    }

    @Test
    void droppingEntriesRaisesTheFloorAndOverrunsSocketsBelowIt() {
        LiveLog log = new LiveLog(3);
        log.append(List.of(entry(1), entry(2), entry(3), entry(4), entry(5)));
        assertEquals(2, log.floor());
        assertTrue(log.after(1, 10).overrun());
        assertFalse(log.covers(1));
        assertTrue(log.covers(2));
        assertEquals(List.of(3L, 4L, 5L), log.after(2, 10).entries().stream().map(LogEntry::version).toList());
    }

    @Test
    void readsIncrementalCursorsOnly() {
        assertEquals(OptionalLong.of(42), HubCursors.version(b64("seq:42")));
        assertTrue(HubCursors.version(b64("snap:10:3")).isEmpty());
        assertTrue(HubCursors.version("not base64!").isEmpty());
        assertTrue(HubCursors.version(b64("seq:-1")).isEmpty());
        assertTrue(HubCursors.version(null).isEmpty());
    }

    @Test
    void fastAckAcceptsOnlyTheCanonicalForm() {
        assertEquals("c2VxOjQy", LiveSession.canonicalAck("{\"type\":\"ack\",\"cursor\":\"c2VxOjQy\"}"));
        assertNull(LiveSession.canonicalAck("{\"type\":\"ack\",\"cursor\":\"c2VxOjQy\",\"x\":1}"));
        assertNull(LiveSession.canonicalAck("{\"type\":\"ack\",\"cursor\":\"a\\\"b\"}"));
        assertNull(LiveSession.canonicalAck("{\"type\":\"ack\",\"cursor\":\"\"}"));
        assertNull(LiveSession.canonicalAck("{ \"type\":\"ack\",\"cursor\":\"abc\"}"));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
