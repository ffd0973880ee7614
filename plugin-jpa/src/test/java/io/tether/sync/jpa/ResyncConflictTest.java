package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.TransportException;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device holds a manual conflict on a task while another device deletes the task and the hub compacts the delete
 * away: the device's cursor has expired, and its resync does not deliver the task. The conflict's hub side becomes
 * "deleted", so accepting it deletes the task here, as on the hub, instead of bringing back the state the conflict
 * first saw. Found by {@link ReferencesConvergenceKit} (seed 6284215740454).
 */
class ResyncConflictTest {
    @Test
    void aConflictWhoseRecordTheResyncDoesNotDeliverHasTheHubSideDeleted() throws Exception {
        EntityManagerFactory hubEmf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
        EntityManagerFactory emf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
        JpaHubStore hubStore = new JpaHubStore(hubEmf);
        try (HubEngine hub = Tether.hub().store(hubStore).conflictPolicy(ConflictPolicy.MANUAL).build().start();
             ReplicaEngine device = Tether.replica().store(new JpaReplicaStore(emf))
                     .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                     .schema(hubStore.schema()).pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()) {
            Jpa.tx(hubEmf, em -> em.persist(new Task("t1", "Paint the door", "alice")));
            device.syncNow();
            Jpa.tx(emf, em -> em.find(Task.class, "t1").title = "Paint the door green");
            Jpa.tx(hubEmf, em -> em.find(Task.class, "t1").title = "Paint the door blue");
            assertEquals(1, device.syncNow().conflicts());
            assertEquals("Paint the door blue", device.conflicts().list().get(0).hub().get("title"));

            Jpa.tx(hubEmf, em -> em.remove(em.find(Task.class, "t1")));
            Thread.sleep(5);
            hubStore.compact(Instant.now()); // the delete's tombstone goes: the device's cursor is now too old
            device.syncNow();                // cursor-expired, then a resync that does not deliver t1

            assertNull(device.conflicts().list().get(0).hub(), "the conflict now says the hub has no t1");
            device.conflicts().acceptHub(device.conflicts().list().get(0));
            assertTrue(device.records().get("tasks", "t1").isEmpty(), "accepting the hub's side deletes t1");
            device.syncNow();
            assertEquals(0, device.status().pendingChanges());
            assertTrue(device.records().list("tasks").isEmpty());
        } finally {
            emf.close();
            hubEmf.close();
        }
    }

    /**
     * The same when the resync is cut short (here: a failed request after its first page) and a new engine, as after
     * a restart, finishes it: the conflict was marked in the store when the resync began, so the engine that finishes
     * it knows the resync never delivered its record. Before, only the engine that began a resync knew.
     */
    @Test
    void aResyncFinishedAfterARestartGivesTheUndeliveredConflictTheHubSideDeleted() throws Exception {
        EntityManagerFactory hubEmf = Databases.open(Databases.h2Memory(), Action.CREATE_DROP);
        String deviceDb = Databases.h2Memory(); // kept while the JVM runs: the restarted device opens it again
        EntityManagerFactory emf = Databases.open(deviceDb, Action.CREATE);
        EntityManagerFactory restartedEmf = null;
        JpaHubStore hubStore = new JpaHubStore(hubEmf);
        try (HubEngine hub = Tether.hub().store(hubStore).conflictPolicy(ConflictPolicy.MANUAL).build().start()) {
            InProcessTransport hubLink = new InProcessTransport(hub.service(), Principal.of("alice"));
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean cutShort = new AtomicBoolean();
            SyncTransport failingAfterTheFirstResyncPage = new SyncTransport() {
                @Override
                public PushResponse push(PushRequest request) {
                    return hubLink.push(request);
                }

                @Override
                public PullResponse pull(PullRequest request) {
                    if (cutShort.get()) {
                        throw new TransportException("the connection dropped", true);
                    }
                    cutShort.set(armed.get() && request.cursor() == null); // the resync's first page goes through
                    return hubLink.pull(request);
                }

                @Override
                public Schema schema() {
                    return hubLink.schema();
                }
            };
            for (String id : List.of("t1", "t2", "t3")) {
                Jpa.tx(hubEmf, em -> em.persist(new Task(id, "Task " + id, "alice")));
            }
            try (ReplicaEngine device = device(emf, hubStore, failingAfterTheFirstResyncPage)) {
                device.syncNow();
                Jpa.tx(emf, em -> em.find(Task.class, "t1").title = "Paint the door green");
                Jpa.tx(hubEmf, em -> em.find(Task.class, "t1").title = "Paint the door blue");
                assertEquals(1, device.syncNow().conflicts());
                Jpa.tx(hubEmf, em -> em.remove(em.find(Task.class, "t1")));
                Thread.sleep(5);
                hubStore.compact(Instant.now());
                armed.set(true);
                assertThrows(TransportException.class, device::syncNow); // cursor-expired, one page, then cut short
            }
            emf.close();
            restartedEmf = Databases.open(deviceDb, Action.NONE);
            try (ReplicaEngine restarted = device(restartedEmf, hubStore, hubLink)) {
                restarted.syncNow(); // goes on with the resync from its cursor, and finishes it
                assertNull(restarted.conflicts().list().get(0).hub(), "the conflict now says the hub has no t1");
                restarted.conflicts().acceptHub(restarted.conflicts().list().get(0));
                restarted.syncNow();
                assertEquals(List.of("t2", "t3"), restarted.records().list("tasks").stream().map(r -> r.id())
                        .sorted().toList(), "the device holds what the hub holds");
                assertEquals(0, restarted.status().pendingChanges());
            }
        } finally {
            if (emf.isOpen()) {
                emf.close();
            }
            if (restartedEmf != null) {
                restartedEmf.close();
            }
            hubEmf.close();
        }
    }

    private static ReplicaEngine device(EntityManagerFactory emf, JpaHubStore hubStore, SyncTransport transport) {
        return Tether.replica().store(new JpaReplicaStore(emf)).transport(transport).schema(hubStore.schema())
                .pullPageSize(1).pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }
}
