package io.tether.sync.websocket;

import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.OutboxState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A seeded random run of devices that sync only by live delivery (they never poll; pushes follow local writes):
 * device writes, conflicting edits of shared notes, the hub's own writes, and every socket dropped at random
 * moments. A small window, small pages and a small live log keep the sockets switching between catch-up and live.
 * At the end every device holds exactly the hub's records it may read, and every record only one device wrote
 * holds that device's last write. Rerun with {@code -Dtether.seed=<seed>}.
 */
class LiveChaosIT {
    private static final int STEPS = 400;

    @Test
    void devicesConvergeOnLiveDeliveryWithSocketsDroppedAtRandom() throws Exception {
        long seed = Long.getLong("tether.seed", new Random().nextLong());
        try {
            run(seed);
        } catch (Throwable t) {
            throw new AssertionError("failed with -Dtether.seed=" + seed + ": " + t.getMessage(), t);
        }
    }

    private void run(long seed) throws Exception {
        Random random = new Random(seed);
        try (WsFixture fx = new WsFixture(b -> b.window(3).pageSize(4).buffered(16), HubLimits.DEFAULT)) {
            List<WsFixture.Device> devices = List.of(fx.device("ann"), fx.device("ann"), fx.device("bob"));
            for (WsFixture.Device d : devices) {
                d.engine().syncNow();
            }
            Map<String, String> lastSolo = new TreeMap<>();
            int drops = 0;
            for (int step = 0; step < STEPS; step++) {
                int dice = random.nextInt(100);
                int who = random.nextInt(devices.size());
                WsFixture.Device d = devices.get(who);
                if (dice < 45) {
                    String id = "d" + who + "-" + random.nextInt(15);
                    String title = "s" + step;
                    d.put(id, title);
                    lastSolo.put(id, title);
                } else if (dice < 65) {
                    String id = "shared-" + random.nextInt(5);
                    d.store().put("notes", id, WsFixture.note(id, step));
                } else if (dice < 85) {
                    String id = "hub-" + random.nextInt(10);
                    if (random.nextInt(5) == 0) {
                        fx.hubStore.delete("notes", id);
                    } else {
                        fx.hubStore.put("notes", id, WsFixture.note(id, step));
                    }
                } else if (dice < 90) {
                    fx.live.dropAll(1011, "chaos");
                    drops++;
                } else {
                    Thread.sleep(random.nextInt(10));
                }
            }
            Map<String, Map<String, Object>> expectedNotes = WsFixture.state(fx.hubStore, "notes");
            WsFixture.await("every device to hold the hub's records (" + drops + " drops)", Duration.ofSeconds(60), () -> {
                for (WsFixture.Device d : devices) {
                    if (d.store().outboxCount(EnumSet.allOf(OutboxState.class)) > 0
                            || !WsFixture.state(fx.hubStore, "notes").equals(WsFixture.state(d.store(), "notes"))
                            || !ownedBy(fx, d.user()).equals(WsFixture.state(d.store(), "tasks"))) {
                        return false;
                    }
                }
                return true;
            });
            for (WsFixture.Device d : devices) {
                assertEquals(WsFixture.state(fx.hubStore, "notes"), WsFixture.state(d.store(), "notes"));
                assertEquals(ownedBy(fx, d.user()), WsFixture.state(d.store(), "tasks"));
            }
            lastSolo.forEach((id, title) -> assertEquals(title,
                    fx.hubStore.get("tasks", id).orElseThrow().data().get("title"), "last write of " + id));
            expectedNotes.size();
        }
    }

    private static Map<String, Map<String, Object>> ownedBy(WsFixture fx, String user) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        WsFixture.state(fx.hubStore, "tasks").forEach((id, data) -> {
            if (user.equals(data.get("owner_id"))) {
                out.put(id, new HashMap<>(data));
            }
        });
        return out;
    }
}
