package io.tether.sync.websocket;

import io.tether.sync.core.MemoryReplicaStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replica engines on {@link WebSocketTransport} against a hub over real sockets: live delivery between devices
 * without polling, the hub restarted under connected clients, a client killed and restarted. The engines poll
 * never ({@code pollInterval 0}); whatever arrives without an explicit sync arrived live (or by the sync the
 * transport asks for at a disconnect).
 */
class LiveEngineIT {

    @Test
    void aChangeOnOneDeviceReachesTheOtherLiveAndPushesGoOverTheSocket() {
        try (WsFixture fx = new WsFixture()) {
            WsFixture.Device a = fx.device("ann");
            WsFixture.Device b = fx.device("ann");
            a.engine().syncNow();
            b.engine().syncNow();
            WsFixture.await("both sockets", Duration.ofSeconds(5),
                    () -> a.transport().connected() && b.transport().connected());
            for (int i = 0; i < 20; i++) {
                a.put("t" + i, "title " + i);
            }
            WsFixture.await("b to hold a's 20 tasks", Duration.ofSeconds(10), () -> b.store().list("tasks").size() == 20);
            assertEquals(WsFixture.state(fx.hubStore, "tasks"), WsFixture.state(b.store(), "tasks"));
            // b can apply the live delivery before a has read its pushResult: wait for a's outbox to drain.
            WsFixture.await("a's outbox to drain", Duration.ofSeconds(10),
                    () -> a.engine().status().pendingChanges() == 0);
            assertTrue(a.transport().socketPushes() > 0, "a pushed over its socket");
            fx.hubStore.put("notes", "n1", WsFixture.note("n1", 1));
            WsFixture.await("the hub's own write on both", Duration.ofSeconds(10),
                    () -> a.store().get("notes", "n1").isPresent() && b.store().get("notes", "n1").isPresent());
        }
    }

    @Test
    void theHubRestartedUnderConnectedClientsLosesNothing() {
        try (WsFixture fx = new WsFixture()) {
            WsFixture.Device a = fx.device("ann");
            WsFixture.Device b = fx.device("ann");
            a.engine().syncNow();
            b.engine().syncNow();
            WsFixture.await("both sockets", Duration.ofSeconds(5),
                    () -> a.transport().connected() && b.transport().connected());
            a.put("before", "before the restart");
            WsFixture.await("b has 'before'", Duration.ofSeconds(10), () -> b.store().get("tasks", "before").isPresent());

            fx.stopHub();
            a.put("during", "written while the hub is down");
            fx.startHub();
            fx.hubStore.put("notes", "after", WsFixture.note("after", 1));
            WsFixture.await("the sockets to come back", Duration.ofSeconds(15),
                    () -> a.transport().connected() && b.transport().connected());
            a.put("after-a", "after the restart");
            WsFixture.await("everything everywhere", Duration.ofSeconds(20), () ->
                    b.store().get("tasks", "during").isPresent() && b.store().get("tasks", "after-a").isPresent()
                            && b.store().get("notes", "after").isPresent() && a.store().get("notes", "after").isPresent());
            assertEquals(WsFixture.state(fx.hubStore, "tasks"), WsFixture.state(b.store(), "tasks"));
            assertEquals(WsFixture.state(fx.hubStore, "tasks"), WsFixture.state(a.store(), "tasks"));
            assertEquals(3, fx.hubStore.list("tasks").size());
        }
    }

    @Test
    void aClientKilledAndRestartedLosesNothing() {
        try (WsFixture fx = new WsFixture()) {
            WsFixture.Device a = fx.device("ann");
            MemoryReplicaStore bStore = io.tether.sync.core.MemoryStore.replica();
            WsFixture.Device b = fx.device("ann", bStore);
            a.engine().syncNow();
            b.engine().syncNow();
            WsFixture.await("both sockets", Duration.ofSeconds(5),
                    () -> a.transport().connected() && b.transport().connected());
            for (int i = 0; i < 10; i++) {
                a.put("t" + i, "first " + i);
            }
            WsFixture.await("b has the first ten", Duration.ofSeconds(10), () -> bStore.list("tasks").size() == 10);

            b.engine().close();
            b.transport().close();
            fx.devices.remove(b);
            for (int i = 10; i < 30; i++) {
                a.put("t" + i, "while b is gone " + i);
            }
            b.put("offline", "written by b while it was down");
            WsFixture.await("a's writes on the hub", Duration.ofSeconds(10), () -> fx.hubStore.list("tasks").size() == 30);

            WsFixture.Device b2 = fx.device("ann", bStore);
            b2.engine().syncNow();
            WsFixture.await("b2's socket", Duration.ofSeconds(5), () -> b2.transport().connected());
            a.put("t-live", "after b came back");
            WsFixture.await("b2 has everything", Duration.ofSeconds(10), () -> bStore.list("tasks").size() == 32
                    && a.store().get("tasks", "offline").isPresent());
            assertEquals(WsFixture.state(fx.hubStore, "tasks"), WsFixture.state(bStore, "tasks"));
            WsFixture.await("a has everything", Duration.ofSeconds(10), () -> a.store().list("tasks").size() == 32);
            assertEquals(WsFixture.state(fx.hubStore, "tasks"), WsFixture.state(a.store(), "tasks"));
            assertTrue(fx.live.stats().sockets() >= 2);
        }
    }

    @Test
    void withoutASocketEndpointTheReplicasKeepSyncingOverHttp() {
        try (WsFixture fx = new WsFixture(b -> b, io.tether.sync.spi.HubLimits.DEFAULT, false)) {
            WsFixture.Device a = fx.device("ann", io.tether.sync.core.MemoryStore.replica(), Duration.ofMillis(200));
            WsFixture.Device b = fx.device("ann", io.tether.sync.core.MemoryStore.replica(), Duration.ofMillis(200));
            a.engine().syncNow();
            b.engine().syncNow();
            a.put("t1", "over http");
            WsFixture.await("b to receive t1 by polling", Duration.ofSeconds(10),
                    () -> b.store().get("tasks", "t1").isPresent());
            assertTrue(!a.transport().connected() && !b.transport().connected(), "no socket could open");
            assertEquals(0, a.transport().socketPushes());
        }
    }
}
