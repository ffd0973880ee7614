package io.tether.sync.tck;

import io.tether.sync.ChangeBatch;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.HookVetoException;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;
import io.tether.sync.spi.SyncClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The context the store kits open a store with: the {@link TckSchema} collections, a {@link TckClock}, hooks that
 * veto writes to chosen ids, and a record of everything the store published. Thread-safe.
 */
public final class TckStoreContext implements StoreContext {
    private final Role role;
    private final SyncClock clock;
    private final Map<String, CollectionSchema> collections = new ConcurrentHashMap<>();
    private final Set<String> vetoed = ConcurrentHashMap.newKeySet();
    private final List<ChangeBatch> batches = new CopyOnWriteArrayList<>();
    private final List<LogEntry> logged = new CopyOnWriteArrayList<>();
    private final List<PendingWrite> hookCalls = new CopyOnWriteArrayList<>();
    private volatile Consumer<ChangeBatch> onCommitted = b -> { };
    private final JsonText json = new TckJson();

    public TckStoreContext(Role role) {
        this.role = role;
        this.clock = new TckClock(role == Role.HUB ? "tckhub" : "tckreplica");
        TckSchema.SCHEMA.collections().forEach(c -> collections.put(c.name(), c));
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public SyncClock clock() {
        return clock;
    }

    @Override
    public Optional<CollectionSchema> collection(String name) {
        return Optional.ofNullable(collections.get(name));
    }

    @Override
    public Map<String, Object> beforeStore(PendingWrite write) {
        hookCalls.add(write);
        if (vetoed.contains(write.id())) {
            throw new HookVetoException("the TCK vetoes writes to '" + write.id() + "'");
        }
        return write.data();
    }

    @Override
    public void committed(ChangeBatch batch) {
        batches.add(batch);
        onCommitted.accept(batch);
    }

    @Override
    public void logged(List<LogEntry> entries) {
        logged.addAll(entries);
    }

    @Override
    public JsonText json() {
        return json;
    }

    /** Makes the hooks veto every write to a record with this id. */
    public void veto(String id) {
        vetoed.add(id);
    }

    /** Runs {@code check} on the publishing thread whenever a batch is published. */
    public void onCommitted(Consumer<ChangeBatch> check) {
        this.onCommitted = check;
    }

    /** Batches published so far, in order. */
    public List<ChangeBatch> batches() {
        return new ArrayList<>(batches);
    }

    /** Change-log entries published so far, in order. */
    public List<LogEntry> logged() {
        return new ArrayList<>(logged);
    }

    /** Writes the hooks saw. */
    public List<PendingWrite> hookCalls() {
        return new ArrayList<>(hookCalls);
    }

    /** Forgets what was published. */
    public void clear() {
        batches.clear();
        logged.clear();
        hookCalls.clear();
    }
}
