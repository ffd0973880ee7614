package io.tether.sync.core;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncException;
import io.tether.sync.Tether;
import io.tether.sync.TransportException;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pages are fetched while the previous one is applied; a failure on either side loses and repeats nothing. */
class PullPipelineTest {
    private static final int RECORDS = 10;
    private static final int PAGE = 2;

    @Test
    void aFetchThatFailsWhileAPageIsAppliedKeepsThatPageAndTheNextCycleGoesOnFromIt() {
        try (Setup s = new Setup()) {
            s.failPull = 3; // the third page's request fails while the second page is being applied
            assertThrows(TransportException.class, s.engine::syncNow);
            assertEquals(2 * PAGE, s.store.list("tasks").size(), "the page applied during the failed fetch stays");
            s.engine.syncNow();
            assertEquals(RECORDS, s.store.list("tasks").size());
            // requested: the first page (no cursor), the second, the third (failed); then the third again, ...
            assertEquals(RECORDS / PAGE + 1, s.cursors.size(), "five pages and the failed request: " + s.cursors);
            assertEquals(s.cursors.get(2), s.cursors.get(3), "the next cycle asks again for the page that failed");
            assertEquals(1, s.cursors.stream().filter(c -> c == null).count(), "and does not start over");
        }
    }

    @Test
    void anApplyThatFailsWhileTheNextPageIsFetchedEndsTheCycleBeforeThatPageIsApplied() {
        try (Setup s = new Setup()) {
            s.failApply = 2; // the second page's transaction fails while the third page is fetched
            SyncException failed = assertThrows(SyncException.class, s.engine::syncNow);
            assertInstanceOf(IllegalStateException.class, failed.getCause(), "the store's failure, named: " + failed);
            assertEquals(PAGE, s.store.list("tasks").size(), "the fetched third page was not applied");
            s.engine.syncNow();
            assertEquals(RECORDS, s.store.list("tasks").size());
            assertEquals(SyncFixture.state(s.hubStore), SyncFixture.state(s.store));
        }
    }

    /** A hub with {@value #RECORDS} records and a replica that pulls them in pages of {@value #PAGE}. */
    private static final class Setup implements AutoCloseable {
        final MemoryHubStore hubStore = MemoryStore.hub();
        final HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS).build().start();
        final MemoryReplicaStore store = MemoryStore.replica();
        final List<String> cursors = new ArrayList<>();
        final AtomicInteger pulls = new AtomicInteger();
        final AtomicInteger applies = new AtomicInteger();
        volatile int failPull;
        volatile int failApply;
        final ReplicaEngine engine;

        @SuppressWarnings("unchecked")
        Setup() {
            MemoryReplicaStore writer = MemoryStore.replica();
            SyncTransport inProcess = new InProcessTransport(hub.service(), Principal.of("alice"));
            try (ReplicaEngine seed = Tether.replica().store(writer).transport(inProcess).schema(SyncFixture.SCHEMA)
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()) {
                for (int i = 0; i < RECORDS; i++) {
                    writer.put("tasks", "t" + i, ReplicaHubTest.task("t" + i, "task " + i, false));
                }
                seed.syncNow();
            }
            SyncTransport counting = new ForwardingTransport(inProcess) {
                @Override
                public PullResponse pull(PullRequest request) {
                    cursors.add(request.cursor());
                    if (pulls.incrementAndGet() == failPull) {
                        throw new TransportException("connection reset", true);
                    }
                    return super.pull(request);
                }
            };
            ReplicaStore failing = (ReplicaStore) Proxy.newProxyInstance(ReplicaStore.class.getClassLoader(),
                    new Class<?>[] {ReplicaStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("inTransaction")) {
                            return store.inTransaction(tx -> failOnApply(tx, (Function<ReplicaTransaction, ?>) args[0]));
                        }
                        try {
                            return method.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            engine = Tether.replica().store(failing).transport(counting)
                    .schema(SyncFixture.SCHEMA).pollInterval(Duration.ZERO).debounce(Duration.ZERO)
                    .pullPageSize(PAGE).build().start();
        }

        /** Runs the work, then fails the {@code failApply}-th page's transaction (so that it rolls back). */
        private Object failOnApply(ReplicaTransaction tx, Function<ReplicaTransaction, ?> work) {
            Object result = work.apply(tx);
            if (tx.cursor().isPresent() && applies.incrementAndGet() == failApply) {
                throw new IllegalStateException("disk full");
            }
            return result;
        }

        @Override
        public void close() {
            engine.close();
            hub.close();
        }
    }

}
