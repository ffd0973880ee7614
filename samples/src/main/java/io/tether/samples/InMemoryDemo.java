package io.tether.samples;

import io.tether.sync.Conflict;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.HubEngine;
import io.tether.sync.RecordQuery;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncListener;
import io.tether.sync.SyncRecord;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.Schema;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hub and two devices in one JVM, on the in-memory store and the in-process transport: device A goes offline,
 * both edit, one deletes, they sync, a conflict is resolved by field-merge, and all three converge.
 */
public final class InMemoryDemo {
    static final CollectionSchema TASKS = CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false)
            .field("done", FieldType.BOOLEAN, false)
            .field("priority", FieldType.INTEGER, true)
            .build();

    private final PrintStream out;
    private int step;

    InMemoryDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        Result result = new InMemoryDemo(System.out).run();
        System.exit(result.converged() ? 0 : 1);
    }

    /** What the demo ended with: the state of each node and whether they agree. */
    record Result(Map<String, Map<String, Object>> hub, Map<String, Map<String, Object>> deviceA,
                  Map<String, Map<String, Object>> deviceB) {
        boolean converged() {
            return hub.equals(deviceA) && hub.equals(deviceB);
        }
    }

    Result run() {
        MemoryHubStore hubStore = MemoryStore.hub();
        MemoryReplicaStore storeA = MemoryStore.replica();
        MemoryReplicaStore storeB = MemoryStore.replica();
        Schema schema = new Schema(1, List.of(TASKS));
        try (HubEngine hub = Tether.hub().store(hubStore).collection(TASKS)
                .conflictPolicy(ConflictPolicy.FIELD_MERGE).build().start()) {
            InProcessTransport linkA = new InProcessTransport(hub.service(), Principal.of("alice"));
            InProcessTransport linkB = new InProcessTransport(hub.service(), Principal.of("alice"));
            try (ReplicaEngine a = replica(storeA, linkA, schema); ReplicaEngine b = replica(storeB, linkB, schema)) {
                SyncListener reporter = new SyncListener() {
                    @Override
                    public void onConflict(Conflict c) {
                        out.println("    ! manual conflict on " + c.id());
                    }
                };
                a.addSyncListener(reporter);
                b.addSyncListener(reporter);

                step("Device A creates three tasks and syncs");
                storeA.put("tasks", "t1", task("t1", "Buy milk", false, 2));
                storeA.put("tasks", "t2", task("t2", "Call the plumber", false, 1));
                storeA.put("tasks", "t3", task("t3", "Book flights", false, 3));
                report("A", a.syncNow());
                step("Device B syncs and receives them");
                report("B", b.syncNow());
                show("B", storeB);

                step("Device A goes offline");
                linkA.disconnect();
                step("Offline, A renames t1 and finishes t2");
                edit(storeA, "t1", "title", "Buy oat milk");
                edit(storeA, "t2", "done", true);
                out.println("    A has " + a.status().pendingChanges() + " changes waiting in its outbox");
                step("Meanwhile B marks t1 done, raises t2's priority and deletes t3, then syncs");
                edit(storeB, "t1", "done", true);
                edit(storeB, "t2", "priority", 5L);
                storeB.delete("tasks", "t3");
                report("B", b.syncNow());

                step("A comes back online and syncs: its edits meet B's on the hub");
                linkA.reconnect();
                report("A", a.syncNow());
                out.println("    field-merge kept both sides: t1 is renamed AND done, t2 is done AND priority 5");
                step("B syncs again to receive A's edits");
                report("B", b.syncNow());

                step("Converged state");
                show("hub", hubStore);
                show("A", storeA);
                show("B", storeB);
                Result result = new Result(state(hubStore), state(storeA), state(storeB));
                out.println(result.converged() ? "\nAll three agree." : "\nThe nodes DISAGREE.");
                return result;
            }
        }
    }

    private static ReplicaEngine replica(MemoryReplicaStore store, InProcessTransport link, Schema schema) {
        return Tether.replica().store(store).transport(link).schema(schema)
                .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start();
    }

    static Map<String, Object> task(String id, String title, boolean done, long priority) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("title", title);
        t.put("done", done);
        t.put("priority", priority);
        return t;
    }

    private static void edit(MemoryReplicaStore store, String id, String field, Object value) {
        Map<String, Object> data = new LinkedHashMap<>(store.get("tasks", id).orElseThrow().data());
        data.put(field, value);
        store.put("tasks", id, data);
    }

    private void step(String text) {
        out.println();
        out.println(++step + ". " + text);
    }

    private void report(String who, SyncReport r) {
        out.println("    " + who + " synced: pushed " + r.pushed() + ", conflicts " + r.conflicts() + ", pulled "
                + r.pulled());
    }

    private void show(String who, RecordQuery q) {
        out.println("    " + who + ":");
        for (SyncRecord r : q.list("tasks")) {
            Map<String, Object> d = r.data();
            out.printf("      %-3s %-18s done=%-5s priority=%s  (v%d)%n", r.id(), d.get("title"), d.get("done"),
                    d.get("priority"), r.version());
        }
    }

    static Map<String, Map<String, Object>> state(RecordQuery q) {
        Map<String, Map<String, Object>> s = new TreeMap<>();
        for (SyncRecord r : q.list("tasks")) {
            s.put(r.id(), r.data());
        }
        return s;
    }
}
