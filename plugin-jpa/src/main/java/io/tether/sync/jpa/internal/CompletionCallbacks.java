package io.tether.sync.jpa.internal;

import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks;

/**
 * The one place that registers transaction completion callbacks with Hibernate (7.2+:
 * {@code getTransactionCompletionCallbacks()}; earlier versions used {@code ActionQueue.registerProcess}).
 */
final class CompletionCallbacks {
    private CompletionCallbacks() {
    }

    /** Runs {@code buffer}'s before- and after-completion work with the session's current transaction. */
    static void register(SharedSessionContractImplementor session, ChangeBuffer buffer) {
        TransactionCompletionCallbacks callbacks = session.getTransactionCompletionCallbacks();
        callbacks.registerCallback((TransactionCompletionCallbacks.BeforeCompletionCallback) s -> buffer.beforeCompletion());
        callbacks.registerCallback(
                (TransactionCompletionCallbacks.AfterCompletionCallback) (success, s) -> buffer.afterCompletion(success));
    }
}
