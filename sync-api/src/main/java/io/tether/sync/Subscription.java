package io.tether.sync;

/** A registration that can be cancelled. Closing twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
