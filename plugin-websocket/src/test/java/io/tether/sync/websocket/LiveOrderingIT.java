package io.tether.sync.websocket;

import io.tether.sync.Subscription;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several writers commit on the hub (the application's own writes, in two scopes and an unscoped collection)
 * while clients join at random moments from random cursors (one of them applying slowly): every client receives every change its principal may
 * read, exactly once, in commit order, with no gap where its catch-up turns into live delivery. A small window,
 * small pages and a small live log force backpressure and the fall back from the log to pulling. Seeded: rerun
 * with {@code -Dtether.seed=<seed>}.
 */
class LiveOrderingIT {
    private static final int WRITERS = 4;
    private static final int WRITES_PER_WRITER = 300;
    private static final int CLIENTS = 6;

    @Test
    void everyClientGetsEveryReadableChangeInCommitOrder() throws Exception {
        long seed = Long.getLong("tether.seed", new Random().nextLong());
        try {
            run(seed);
        } catch (Throwable t) {
            throw new AssertionError("failed with -Dtether.seed=" + seed + ": " + t.getMessage(), t);
        }
    }

    private record Client(String user, long from, List<Long> versions, List<String> problems, Subscription sub,
                          WebSocketTransport transport) {
    }

    private void run(long seed) throws Exception {
        Random random = new Random(seed);
        try (WsFixture fx = new WsFixture(b -> b.window(4).pageSize(50).buffered(16), HubLimits.DEFAULT)) {
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                long writerSeed = random.nextLong();
                int writer = w;
                writers.add(pool.submit(() -> {
                    Random r = new Random(writerSeed);
                    go.await();
                    for (int i = 0; i < WRITES_PER_WRITER; i++) {
                        int kind = r.nextInt(10);
                        String id = "w" + writer + "-" + r.nextInt(40);
                        if (kind < 4) {
                            fx.hubStore.put("notes", id, WsFixture.note(id, i));
                        } else if (kind < 8) {
                            Map<String, Object> task = new HashMap<>();
                            task.put("id", id);
                            task.put("title", "t" + i);
                            task.put("done", r.nextBoolean());
                            task.put("owner_id", r.nextBoolean() ? "ann" : "bob");
                            if (fx.hubStore.get("tasks", id).map(t -> t.data().get("owner_id")).orElse(task.get("owner_id"))
                                    .equals(task.get("owner_id"))) {
                                fx.hubStore.put("tasks", id, task);
                            }
                        } else {
                            fx.hubStore.delete(r.nextBoolean() ? "notes" : "tasks", id);
                        }
                        Thread.sleep(r.nextInt(8));
                    }
                    return null;
                }));
            }
            head(fx, "ann"); // warms the HTTP client up so the first client does not join after the writers ended
            go.countDown();
            List<Client> clients = new ArrayList<>();
            AtomicBoolean anyDisorder = new AtomicBoolean();
            for (int c = 0; c < CLIENTS; c++) {
                Thread.sleep(random.nextInt(150));
                boolean slow = c == 1;
                String user = c % 2 == 0 ? "ann" : "bob";
                long from = random.nextInt(3) == 0 ? 0 : head(fx, user);
                List<Long> versions = new CopyOnWriteArrayList<>();
                List<String> problems = new CopyOnWriteArrayList<>();
                WebSocketTransport t = fx.transport(user, null);
                Subscription sub = t.subscribe(fx.hub.service().cursorAt(from), new SyncTransport.LiveListener() {
                    @Override
                    public void onPage(PullResponse page) {
                        if (slow) {
                            // applies slowly: falls behind the live log and continues by pulling
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        for (DeliveredChange d : page.changes()) {
                            if (!versions.isEmpty() && versions.get(versions.size() - 1) >= d.version()) {
                                anyDisorder.set(true);
                            }
                            versions.add(d.version());
                        }
                    }

                    @Override
                    public void onResync() {
                        problems.add("resync");
                    }

                    @Override
                    public void onClosed(Throwable error) {
                        problems.add("closed: " + error);
                    }
                });
                clients.add(new Client(user, from, versions, problems, sub, t));
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            Map<String, List<Long>> expectedFromZero = new HashMap<>();
            for (String user : List.of("ann", "bob")) {
                expectedFromZero.put(user, readable(fx, user));
            }
            for (Client c : clients) {
                List<Long> expected = new ArrayList<>();
                for (long v : expectedFromZero.get(c.user)) {
                    if (v > c.from) {
                        expected.add(v);
                    }
                }
                long last = expected.isEmpty() ? -1 : expected.get(expected.size() - 1);
                WsFixture.await(c.user + " from " + c.from + " to receive up to " + last, Duration.ofSeconds(30),
                        () -> expected.isEmpty() || (!c.versions.isEmpty()
                                && c.versions.get(c.versions.size() - 1) >= last));
                assertEquals(List.of(), c.problems, "client " + c.user + " from " + c.from);
                assertEquals(expected, new ArrayList<>(c.versions), "client " + c.user + " from " + c.from
                        + " received exactly the readable changes after its cursor, in commit order");
            }
            assertTrue(!anyDisorder.get(), "no client saw a version out of order");
            LiveHub.Stats stats = fx.live.stats();
            assertTrue(stats.maxUnacked() <= 4, "window respected: " + stats);
            for (Client c : clients) {
                c.sub.close();
                c.transport.close();
            }
            Collections.emptyList();
        }
    }

    /** Where a REST pull for {@code user} from the start ends now. */
    private static long head(WsFixture fx, String user) {
        List<Long> all = readable(fx, user);
        return all.isEmpty() ? 0 : all.get(all.size() - 1);
    }

    /** Every version {@code user} may read, from the hub's change log over REST. */
    private static List<Long> readable(WsFixture fx, String user) {
        try (RestTransport rest = RestTransport.builder(fx.base()).token(WsFixture.token(user)).schemaVersion(1).build()) {
            List<Long> out = new ArrayList<>();
            String cursor = fx.hub.service().cursorAt(0);
            PullResponse page;
            do {
                page = rest.pull(PullRequest.from(cursor, 5000));
                page.changes().forEach(d -> out.add(d.version()));
                cursor = page.cursor();
            } while (page.hasMore());
            return out;
        }
    }
}
