package io.tether.sync.jpa;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.sync.ChangeBatch;
import io.tether.sync.Values;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.HookVetoException;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.StoreContext;
import io.tether.sync.spi.SyncClock;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A minimal engine side for store tests: records what the store publishes; hooks can veto. */
final class TestContext implements StoreContext {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    final Role role;
    final List<ChangeBatch> batches = new CopyOnWriteArrayList<>();
    final List<LogEntry> logged = new CopyOnWriteArrayList<>();
    volatile Predicate<PendingWrite> veto = w -> false;
    volatile Runnable onCommitted = () -> { };
    private final Clock clock = new Clock("node1");

    TestContext(Role role) {
        this.role = role;
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
        return Optional.empty();
    }

    @Override
    public Map<String, Object> beforeStore(PendingWrite write) {
        if (veto.test(write)) {
            throw new HookVetoException("vetoed " + write.collection() + "/" + write.id());
        }
        return write.data();
    }

    @Override
    public void committed(ChangeBatch batch) {
        onCommitted.run();
        batches.add(batch);
    }

    @Override
    public void logged(List<LogEntry> entries) {
        onCommitted.run();
        logged.addAll(entries);
    }

    @Override
    public JsonText json() {
        return new JsonText() {
            @Override
            public String write(Map<String, Object> data) {
                try {
                    return MAPPER.writeValueAsString(data);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            @SuppressWarnings("unchecked")
            public Map<String, Object> read(String json) {
                try {
                    return Values.copy(MAPPER.readValue(json, Map.class));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /** A small hybrid logical clock. */
    static final class Clock implements SyncClock {
        private final String node;
        private long millis;
        private int counter;

        Clock(String node) {
            this.node = node;
        }

        @Override
        public synchronized String now() {
            long wall = System.currentTimeMillis();
            if (wall > millis) {
                millis = wall;
                counter = 0;
            } else {
                counter++;
            }
            return String.format("%013d-%04x-%s", millis, counter, node);
        }

        @Override
        public void observe(String stamp) {
        }

        @Override
        public String nodeId() {
            return node;
        }
    }
}
