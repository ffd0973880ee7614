package io.tether.sync.core.internal;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The concurrency of the in-memory stores: one transaction at a time, staged and committed at the end, published
 * in commit order while readers may already read the committed state. Thread-safe.
 */
public final class SerialTransactions {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    /** A transaction's staged work. */
    public interface Staged {
        /** Makes the staged work visible; called under the write lock. */
        void commit();

        /** Marks the transaction ended, committed or not. */
        void end();

        /** Announces committed work; called in commit order, after commit, without blocking readers. */
        void publish();
    }

    /**
     * Begins a transaction (under the write lock, so {@code begin} sees the latest committed state), runs
     * {@code work}, commits and publishes. An exception from {@code work} discards the staged work.
     */
    public <S extends Staged, T> T run(Supplier<S> begin, Function<? super S, T> work) {
        Objects.requireNonNull(work, "work");
        lock.writeLock().lock();
        S tx = null;
        T result;
        try {
            tx = begin.get();
            result = work.apply(tx);
            tx.commit();
            lock.readLock().lock();
        } finally {
            if (tx != null) {
                tx.end();
            }
            lock.writeLock().unlock();
        }
        try {
            tx.publish();
        } finally {
            lock.readLock().unlock();
        }
        return result;
    }

    /** Reads committed state. */
    public <T> T read(Supplier<T> reader) {
        lock.readLock().lock();
        try {
            return reader.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Changes committed state outside a transaction (maintenance such as compaction). */
    public <T> T maintain(Supplier<T> change) {
        lock.writeLock().lock();
        try {
            return change.get();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
