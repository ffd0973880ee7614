package io.tether.sync.jpa;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.spi.Principal;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.tool.schema.Action;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
}
