package io.tether.sync.jpa.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * Publishes committed hub transactions to change listeners in version order. Transactions commit in version order
 * (the counter lock), but their after-commit callbacks race; each one deposits its range here and runs once every
 * lower version was published. A gap that stays open longer than {@code patienceMillis} (a transaction whose
 * after-commit never ran, or one committed by another hub node) is passed over. (Live delivery does not wait
 * here: the engine orders log entries itself.) Thread-safe.
 */
final class CommitOrder {
    private record Deposit(long last, Runnable publish, long since) {
    }

    private final TreeMap<Long, Deposit> waiting = new TreeMap<>();
    private final long patienceMillis;
    private long published;

    CommitOrder(long published, long patienceMillis) {
        this.published = published;
        this.patienceMillis = patienceMillis;
    }

    /** Publishes versions {@code first..last} after every lower version (runs on the depositing thread). */
    synchronized void deposit(long first, long last, Runnable publish) {
        waiting.put(first, new Deposit(last, publish, System.currentTimeMillis()));
        long now = System.currentTimeMillis();
        while (!waiting.isEmpty()) {
            Map.Entry<Long, Deposit> next = waiting.firstEntry();
            boolean inOrder = next.getKey() <= published + 1;
            if (!inOrder && now - next.getValue().since() < patienceMillis) {
                return;
            }
            waiting.pollFirstEntry();
            published = Math.max(published, next.getValue().last());
            try {
                next.getValue().publish().run();
            } catch (RuntimeException e) {
                // a failing listener must not stop later transactions from being published
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }
}
