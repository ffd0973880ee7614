package io.tether.sync.spi;

import io.tether.sync.ChangeBatch;

/**
 * Runs in the write path. {@link #beforeStore} sees every local write on a replica, and every pushed change and
 * application write on a hub, before it is stored: it may validate, transform or veto. It does not run for
 * changes a replica applies from its hub (the hub already accepted them). {@link #afterCommit} sees every
 * committed batch. Implementations are thread-safe.
 */
public interface PersistenceHook {
    default HookDecision beforeStore(PendingWrite write) {
        return HookDecision.proceed();
    }

    default void afterCommit(ChangeBatch batch) {
    }
}
