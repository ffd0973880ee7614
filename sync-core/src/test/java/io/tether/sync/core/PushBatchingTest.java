package io.tether.sync.core;

import io.tether.sync.HubEngine;
import io.tether.sync.ProblemException;
import io.tether.sync.RejectedChange;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncListener;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.SyncTransport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Push batches as the hub bounds them: split on 413, one change too large on its own rejected, nothing lost. */
class PushBatchingTest {
    private static final int RECORDS = 120;
    private static final int HUGE = 60;

    @Test
    void aPushTooLargeIsSplitAndAChangeTooLargeAloneIsRejectedWhileEveryOtherChangeArrivesOnce() {
        HubLimits d = HubLimits.DEFAULT;
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(SyncFixture.TASKS)
                .limits(new HubLimits(7, d.maxPushBytes(), d.defaultPullLimit(), d.maxPullLimit(), d.liveWindow()))
                .build().start()) {
            SyncTransport inProcess = new InProcessTransport(hub.service(), Principal.of("alice"));
            List<List<String>> pushes = new CopyOnWriteArrayList<>();
            SyncTransport transport = new ForwardingTransport(inProcess) {
                @Override
                public PushResponse push(PushRequest request) {
                    pushes.add(request.changes().stream().map(c -> c.id()).toList());
                    if (request.changes().stream().anyMatch(c -> "huge".equals(c.data().get("title")))) {
                        throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "the request body is too large");
                    }
                    return super.push(request);
                }
            };
            MemoryReplicaStore store = MemoryStore.replica();
            try (ReplicaEngine engine = Tether.replica().store(store).transport(transport).schema(SyncFixture.SCHEMA)
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).pushBatchSize(50).build().start()) {
                List<RejectedChange> rejected = new CopyOnWriteArrayList<>();
                engine.addSyncListener(new SyncListener() {
                    @Override
                    public void onRejected(RejectedChange change) {
                        rejected.add(change);
                    }
                });
                for (int i = 0; i < RECORDS; i++) {
                    store.put("tasks", id(i), ReplicaHubTest.task(id(i), i == HUGE ? "huge" : "task " + i, false));
                }

                SyncReport report = engine.syncNow();

                assertEquals(RECORDS - 1, report.pushed());
                assertEquals(1, report.rejected());
                assertEquals(List.of(id(HUGE)), rejected.stream().map(RejectedChange::id).toList());
                assertEquals(RECORDS - 1, hubStore.list("tasks").size());
                assertEquals(RECORDS - 1, hubStore.headVersion(), "every other change applied exactly once");
                assertEquals(50, pushes.get(0).size(), "the first push is a full batch");
                for (List<String> push : pushes) {
                    assertEquals(push.size(), new HashSet<>(push).size(), "a push carries a record once: " + push);
                }
                assertTrue(pushes.stream().skip(1).allMatch(p -> p.size() <= 25), "the batch size was halved");
                assertEquals(1, engine.status().rejectedChanges());
                assertEquals(1, engine.status().pendingChanges(), "only the rejected change is left");
                assertEquals(0, engine.syncNow().pushed(), "a rejected change is not retried on its own");
            }
        }
    }

    private static String id(int i) {
        return String.format("t%03d", i);
    }
}
