package io.tether.sync.websocket;

import io.tether.sync.Subscription;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading, and one that reads but never acknowledges, hold at most the window on the hub and
 * do not slow the others; the one that never acknowledges is closed after the stall timeout.
 */
class SlowConsumerIT {
    private static final int WINDOW = 8;
    private static final int WRITES = 3000;

    private static String hello(String token, String cursor) {
        return "{\"type\":\"hello\",\"clientId\":\"" + UUID.randomUUID() + "\",\"token\":\"" + token
                + "\",\"cursor\":\"" + cursor + "\",\"schemaVersion\":1}";
    }

    @Test
    void aStalledClientHoldsAtMostTheWindowAndDoesNotDelayTheOthers() throws Exception {
        try (WsFixture fx = new WsFixture(b -> b.window(WINDOW).pageSize(50).stallTimeout(Duration.ofSeconds(2))
                .pingInterval(Duration.ofMillis(500)).pingTimeout(Duration.ofSeconds(30)), HubLimits.DEFAULT)) {
            String start = fx.hub.service().cursorAt(0);
            // stops reading after the socket opened: the hub's writes back up in TCP and then in its queue
            RawSocket deaf = RawSocket.open(fx.socket(), false);
            deaf.send(hello(WsFixture.token("ann"), start));
            // reads everything but never acknowledges
            RawSocket mute = RawSocket.open(fx.socket(), true);
            mute.send(hello(WsFixture.token("ann"), start));

            List<Long> latencies = new CopyOnWriteArrayList<>();
            AtomicLong received = new AtomicLong();
            WebSocketTransport healthy = fx.transport("ann", null);
            Subscription sub = healthy.subscribe(start, new SyncTransport.LiveListener() {
                @Override
                public void onPage(PullResponse page) {
                    long now = System.nanoTime();
                    for (DeliveredChange d : page.changes()) {
                        String text = String.valueOf(d.data().get("text"));
                        int at = text.lastIndexOf('@');
                        if (at >= 0) {
                            latencies.add(now - Long.parseLong(text.substring(at + 1)));
                        }
                        received.incrementAndGet();
                    }
                }

                @Override
                public void onResync() {
                }

                @Override
                public void onClosed(Throwable error) {
                }
            });
            long maxUnacked = 0;
            long maxQueued = 0;
            long maxChars = 0;
            for (int i = 0; i < WRITES; i++) {
                java.util.Map<String, Object> note = WsFixture.note("n" + (i % 500), i);
                note.put("text", "x".repeat(200));
                note.put("n", i);
                fx.hubStore.put("notes", "n" + (i % 500), withSentAt(note));
                if (i % 100 == 0) {
                    LiveHub.Stats s = fx.live.stats();
                    maxUnacked = Math.max(maxUnacked, s.maxUnacked());
                    maxQueued = Math.max(maxQueued, s.maxQueued());
                    maxChars = Math.max(maxChars, s.queuedChars());
                }
            }
            WsFixture.await("the healthy client to receive all " + WRITES, Duration.ofSeconds(30),
                    () -> received.get() >= WRITES);
            LiveHub.Stats s = fx.live.stats();
            assertTrue(maxUnacked <= WINDOW && s.maxUnacked() <= WINDOW, "unacked within the window: " + maxUnacked);
            assertTrue(maxQueued <= WINDOW + 16, "queued within the window: " + maxQueued);
            // a page is at most 50 changes of ~300 characters: the window bounds what a socket holds
            assertTrue(maxChars <= 2L * (WINDOW + 16) * 50 * 400, "queued characters bounded: " + maxChars);
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            long p99 = sorted[(int) (sorted.length * 0.99)];
            assertTrue(p99 < Duration.ofSeconds(2).toNanos(), "the healthy client was not held up: p99 "
                    + p99 / 1_000_000 + " ms");

            assertEquals(1008, mute.awaitClose(Duration.ofSeconds(10)), "the client that never acks is closed");
            WsFixture.await("the stalled sockets to be dropped", Duration.ofSeconds(10),
                    () -> fx.live.stats().sockets() == 1);
            sub.close();
            healthy.close();
            deaf.close();
            mute.close();
        }
    }

    private static java.util.Map<String, Object> withSentAt(java.util.Map<String, Object> note) {
        // the schema has no field for it: carry the send time in the text instead
        note.put("text", note.get("text") + "@" + System.nanoTime());
        return note;
    }
}
