package io.tether.sync.core.internal;

import io.tether.sync.ChangeBatch;
import io.tether.sync.Subscription;
import io.tether.sync.spi.HookDecision;
import io.tether.sync.spi.HookVetoException;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.PersistenceHook;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The persistence hooks of one engine, run in registration order. Thread-safe. */
public final class Hooks {
    private static final System.Logger LOG = System.getLogger(Hooks.class.getName());
    private final List<PersistenceHook> hooks = new CopyOnWriteArrayList<>();

    public Subscription add(PersistenceHook hook) {
        hooks.add(java.util.Objects.requireNonNull(hook, "hook"));
        return () -> hooks.remove(hook);
    }

    /** Runs every hook; returns the data to store, or throws {@link HookVetoException}. */
    public Map<String, Object> beforeStore(PendingWrite write) {
        PendingWrite current = write;
        for (PersistenceHook hook : hooks) {
            HookDecision decision = hook.beforeStore(current);
            if (decision instanceof HookDecision.Veto v) {
                throw new HookVetoException(v.reason());
            }
            if (decision instanceof HookDecision.Transform t) {
                if (current.data() == null) {
                    throw new IllegalStateException(hook.getClass().getName() + " transformed a delete");
                }
                current = new PendingWrite(current.role(), current.collection(), current.id(), current.op(),
                        current.before(), t.data(), current.changedFields(), current.principal());
            }
        }
        return current.data();
    }

    /** Runs every after-commit hook; a failing hook is logged and does not stop the others. */
    public void afterCommit(ChangeBatch batch) {
        for (PersistenceHook hook : hooks) {
            try {
                hook.afterCommit(batch);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "after-commit hook " + hook.getClass().getName() + " failed", e);
            }
        }
    }
}
