package io.tether.sync.core.internal;

import io.tether.sync.ChangeBatch;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;
import io.tether.sync.spi.SyncClock;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/** The engine's side of a store: clock, schema, hooks and the publication of committed work. */
public record CoreStoreContext(Role role, SyncClock clock, Function<String, Optional<CollectionSchema>> schema,
                               Hooks hooks, ChangeBus bus, Consumer<List<LogEntry>> log, Runnable otherNodeLogged,
                               JsonText json)
        implements StoreContext {

    @Override
    public Optional<CollectionSchema> collection(String name) {
        return schema.apply(name);
    }

    @Override
    public Map<String, Object> beforeStore(PendingWrite write) {
        return hooks.beforeStore(write);
    }

    @Override
    public void committed(ChangeBatch batch) {
        bus.publish(batch);
        hooks.afterCommit(batch);
    }

    @Override
    public void logged(List<LogEntry> entries) {
        log.accept(entries);
    }

    @Override
    public void loggedElsewhere() {
        otherNodeLogged.run();
    }
}
