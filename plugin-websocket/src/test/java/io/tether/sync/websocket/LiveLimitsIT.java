package io.tether.sync.websocket;

import io.tether.sync.Subscription;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A message from the hub longer than the transport's limit drops the socket instead of being read whole. */
class LiveLimitsIT {
    @Test
    void aMessageLongerThanTheLimitIsNotRead() throws Exception {
        try (WsFixture fx = new WsFixture()) {
            RestTransport rest = RestTransport.builder(fx.base()).token(WsFixture.token("ann")).schemaVersion(1).build();
            List<PullResponse> pages = new CopyOnWriteArrayList<>();
            try (WebSocketTransport t = WebSocketTransport.builder(fx.socket(), rest).token(WsFixture.token("ann"))
                    .schemaVersion(1).maxMessageChars(64 * 1024)
                    .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
                 Subscription ignored = t.subscribe(fx.hub.service().cursorAt(0), new SyncTransport.LiveListener() {
                     @Override
                     public void onPage(PullResponse page) {
                         pages.add(page);
                     }

                     @Override
                     public void onResync() {
                     }

                     @Override
                     public void onClosed(Throwable error) {
                     }
                 })) {
                fx.hubStore.put("notes", "small", WsFixture.note("small", 1));
                WsFixture.await("the small note, live", Duration.ofSeconds(10), () -> delivered(pages, "small"));
                Map<String, Object> big = WsFixture.note("big", 2);
                big.put("text", "x".repeat(200_000));
                fx.hubStore.put("notes", "big", big);
                Thread.sleep(1_500); // several reconnects, each met by the same message
                assertFalse(delivered(pages, "big"), "the 200,000-character message was not read");
            }
            assertThrows(IllegalArgumentException.class,
                    () -> WebSocketTransport.builder(fx.socket(), rest).maxMessageChars(1000));
            rest.close();
        }
    }

    private static boolean delivered(List<PullResponse> pages, String id) {
        return pages.stream().flatMap(p -> p.changes().stream()).anyMatch(c -> c.id().equals(id));
    }
}
