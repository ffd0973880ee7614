package io.tether.sync.core;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pull that ends a cycle passes over the echoes of the cycle's own pushes without reading their records. */
class EchoPullTest {

    @Test
    void theEchoOfACyclesOwnPushesIsPassedOverWithoutReadingItsRecords() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            MemoryReplicaStore local = MemoryStore.replica();
            CountingStore counting = new CountingStore(local);
            try (ReplicaEngine a = engine(f, counting.proxy)) {
                a.syncNow(); // the initial sync: from here on the cycle pulls from a cursor
                for (int i = 0; i < 30; i++) {
                    local.put("tasks", "a" + i, ReplicaHubTest.task("a" + i, "task " + i, false));
                }
                SyncReport report = a.syncNow();

                assertEquals(30, report.pushed());
                assertEquals(0, counting.pullReads.get(), "no record of the echo is looked up");
                assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(local));
                assertEquals(f.hubStore.headVersion(), local.get("tasks", "a29").orElseThrow().version());
            }
        }
    }

    @Test
    void anotherDevicesChangesInTheSamePagesAreStillApplied() {
        try (SyncFixture f = new SyncFixture(ConflictPolicy.FIELD_MERGE)) {
            SyncFixture.Device b = f.device("alice");
            MemoryReplicaStore local = MemoryStore.replica();
            CountingStore counting = new CountingStore(local);
            try (ReplicaEngine a = engine(f, counting.proxy)) {
                a.syncNow();
                for (int i = 0; i < 5; i++) {
                    b.put("b" + i, ReplicaHubTest.task("b" + i, "from b " + i, false));
                }
                b.engine().syncNow();
                for (int i = 0; i < 3; i++) {
                    local.put("tasks", "a" + i, ReplicaHubTest.task("a" + i, "from a " + i, true));
                }
                counting.pullReads.set(0);

                SyncReport report = a.syncNow();

                assertEquals(3, report.pushed());
                assertEquals(5, report.pulled(), "b's five changes, and none of a's own");
                assertEquals(5, counting.pullReads.get(), "only b's five records are looked up");
                assertEquals(SyncFixture.state(f.hubStore), SyncFixture.state(local));
            }
        }
    }

    private static ReplicaEngine engine(SyncFixture f, ReplicaStore store) {
        return Tether.replica().store(store).transport(new InProcessTransport(f.hub.service(), Principal.of("alice")))
                .schema(SyncFixture.SCHEMA).pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }

    /**
     * A store that counts the records prefetched in transactions that set the cursor (a pulled page): the engine
     * names there every record it is about to look up.
     */
    private static final class CountingStore implements java.lang.reflect.InvocationHandler {
        final AtomicInteger pullReads = new AtomicInteger();
        private final ReplicaStore target;
        private final ReplicaStore proxy;

        CountingStore(ReplicaStore target) {
            this.target = target;
            this.proxy = (ReplicaStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{ReplicaStore.class}, this);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("inTransaction")) {
                Function<ReplicaTransaction, Object> work = (Function<ReplicaTransaction, Object>) args[0];
                return target.inTransaction(tx -> {
                    List<String> calls = new ArrayList<>();
                    AtomicInteger reads = new AtomicInteger();
                    ReplicaTransaction counted = (ReplicaTransaction) Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[]{ReplicaTransaction.class}, (p, m, a) -> {
                                calls.add(m.getName());
                                if (m.getName().equals("prefetch")) {
                                    reads.addAndGet(((Collection<?>) a[1]).size());
                                }
                                return call(m, tx, a);
                            });
                    Object result = work.apply(counted);
                    if (calls.contains("setCursor")) {
                        pullReads.addAndGet(reads.get());
                    }
                    return result;
                });
            }
            return call(method, target, args);
        }

        private static Object call(Method method, Object on, Object[] args) throws Throwable {
            try {
                return method.invoke(on, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
