package io.tether.sync.tck;

import io.tether.sync.TransportException;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A network that misbehaves on purpose, decided by a seeded {@link Random}: each request, with probability
 * {@code rate}, meets one {@link Fault}. The delegate can be swapped (a restarted hub) without rebuilding the
 * replica. Thread-safe.
 */
public final class FaultyTransport implements SyncTransport {

    /** What can go wrong with one request. */
    public enum Fault {
        /** The request never reaches the hub. */
        DROP_REQUEST,
        /** The hub processes the request, the answer is lost. */
        DROP_RESPONSE,
        /** The request reaches the hub twice; the client sees the second answer. */
        DUPLICATE,
        /** The request is slow. */
        DELAY,
        /** The request is held back and reaches the hub later, after requests sent after it; the client times out. */
        REORDER,
        /** The connection resets before anything is sent. */
        RESET
    }

    private final Random random;
    private final double rate;
    private final Deque<PushRequest> late = new ArrayDeque<>();
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private SyncTransport delegate;
    private boolean enabled = true;

    public FaultyTransport(SyncTransport delegate, long seed, double rate) {
        this.delegate = delegate;
        this.random = new Random(seed);
        this.rate = rate;
    }

    /** Turns faults on or off. */
    public synchronized void faults(boolean on) {
        enabled = on;
    }

    /** Routes further requests to another transport (after a hub restart); the old one is closed. */
    public synchronized void retarget(SyncTransport next) {
        delegate.close();
        delegate = next;
    }

    /** Delivers every held-back request now. */
    public synchronized void flush() {
        while (!late.isEmpty()) {
            deliverLate(late.poll());
        }
    }

    /** How many faults of each kind were injected. */
    public synchronized Map<Fault, Integer> injected() {
        return injected.isEmpty() ? new EnumMap<>(Fault.class) : new EnumMap<>(injected);
    }

    private Fault next() {
        if (!enabled || random.nextDouble() >= rate) {
            return null;
        }
        Fault f = Fault.values()[random.nextInt(Fault.values().length)];
        injected.merge(f, 1, Integer::sum);
        return f;
    }

    private void deliverLate(PushRequest request) {
        try {
            delegate.push(request);
        } catch (RuntimeException ignored) {
            // the late copy's answer goes nowhere
        }
    }

    @Override
    public synchronized PushResponse push(PushRequest request) {
        if (!late.isEmpty() && random.nextBoolean()) {
            deliverLate(late.poll());
        }
        Fault fault = next();
        if (fault == null) {
            return delegate.push(request);
        }
        switch (fault) {
            case DROP_REQUEST:
                throw new TransportException("tck: push request dropped", true);
            case RESET:
                throw new TransportException("tck: connection reset", new SocketException("Connection reset"));
            case DROP_RESPONSE:
                delegate.push(request);
                throw new TransportException("tck: push response lost after the hub applied it", true);
            case DUPLICATE:
                delegate.push(request);
                return delegate.push(request);
            case REORDER:
                late.add(request);
                throw new TransportException("tck: push timed out (it will reach the hub later)", true);
            case DELAY:
            default:
                pause();
                return delegate.push(request);
        }
    }

    @Override
    public synchronized PullResponse pull(PullRequest request) {
        if (!late.isEmpty() && random.nextBoolean()) {
            deliverLate(late.poll());
        }
        Fault fault = next();
        if (fault == null) {
            return delegate.pull(request);
        }
        switch (fault) {
            case DROP_REQUEST:
                throw new TransportException("tck: pull request dropped", true);
            case RESET:
                throw new TransportException("tck: connection reset", new SocketException("Connection reset"));
            case DROP_RESPONSE:
            case REORDER:
                delegate.pull(request);
                throw new TransportException("tck: pull response lost", true);
            case DUPLICATE:
                delegate.pull(request);
                return delegate.pull(request);
            case DELAY:
            default:
                pause();
                return delegate.pull(request);
        }
    }

    private void pause() {
        try {
            Thread.sleep(random.nextInt(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized Schema schema() {
        return delegate.schema();
    }

    /** Held-back requests still waiting. */
    public synchronized List<PushRequest> held() {
        return new ArrayList<>(late);
    }

    /** Closes nothing: the kit owns the delegate and closes it with {@link #retarget} or {@link #shutdown}. */
    @Override
    public void close() {
    }

    /** Closes the delegate. */
    public synchronized void shutdown() {
        delegate.close();
    }
}
