package io.tether.sync.core;

import io.tether.sync.spi.HubService;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import io.tether.sync.ProblemException;
import io.tether.sync.Subscription;
import io.tether.sync.TransportException;
import io.tether.sync.spi.ProblemType;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * A transport that calls a hub in the same JVM directly, as one principal: for tests, demos and embedded setups.
 * Made with {@link #live}, it also delivers live: each commit on the hub wakes the subscription, which pulls from its
 * cursor, so pages arrive in order with no gap. {@link #disconnect()} and {@link #reconnect()} simulate going offline (and end live
 * subscriptions). Thread-safe.
 *
 * <pre>{@code
 * SyncTransport transport = new InProcessTransport(hub.service(), Principal.of("alice"));
 * }</pre>
 */
public final class InProcessTransport implements SyncTransport {
    private final HubService hub;
    private final Principal principal;
    private volatile boolean offline;
    private final java.util.Set<LiveFeed> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final boolean liveDelivery;

    /** A transport without live delivery: the replica sees the hub's changes when it syncs. */
    public InProcessTransport(HubService hub, Principal principal) {
        this(hub, principal, false);
    }

    private InProcessTransport(HubService hub, Principal principal, boolean liveDelivery) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.principal = Objects.requireNonNull(principal, "principal");
        this.liveDelivery = liveDelivery;
    }

    /** A transport that also delivers the hub's commits live, as they happen. */
    public static InProcessTransport live(HubService hub, Principal principal) {
        return new InProcessTransport(hub, principal, true);
    }

    /** Every call fails with a retryable {@link io.tether.sync.TransportException} until {@link #reconnect()}. */
    public void disconnect() {
        offline = true;
        live.forEach(LiveFeed::lose);
    }

    public void reconnect() {
        offline = false;
    }

    public boolean isOffline() {
        return offline;
    }

    private void checkOnline() {
        if (offline) {
            throw new TransportException("the hub is unreachable (in-process transport offline)", true);
        }
    }

    @Override
    public PushResponse push(PushRequest request) {
        checkOnline();
        return hub.push(principal, request);
    }

    @Override
    public PullResponse pull(PullRequest request) {
        checkOnline();
        return hub.pull(principal, request);
    }

    @Override
    public Schema schema() {
        checkOnline();
        return hub.schema();
    }

    @Override
    public boolean supportsLive() {
        return liveDelivery;
    }

    @Override
    public Subscription subscribe(String cursor, LiveListener listener) {
        if (!liveDelivery) {
            return SyncTransport.super.subscribe(cursor, listener);
        }
        checkOnline();
        LiveFeed feed = new LiveFeed(cursor, listener);
        live.add(feed);
        feed.start();
        return feed::close;
    }

    /** One live subscription: a thread that pulls whenever the hub commits. */
    private final class LiveFeed implements Runnable {
        private final LiveListener listener;
        private final Semaphore wakeups = new Semaphore(1);
        private final Subscription commits;
        private final Thread thread;
        private volatile String cursor;
        private volatile boolean closed;
        private volatile Throwable lost;

        LiveFeed(String cursor, LiveListener listener) {
            this.cursor = cursor;
            this.listener = Objects.requireNonNull(listener, "listener");
            this.commits = hub.subscribe(entries -> wakeups.release());
            this.thread = new Thread(this, "tether-inprocess-live");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void lose() {
            lost = new TransportException("the hub is unreachable (in-process transport offline)", true);
            close();
        }

        void close() {
            closed = true;
            commits.close();
            live.remove(this);
            wakeups.release();
        }

        @Override
        public void run() {
            Throwable error = null;
            try {
                while (!closed) {
                    wakeups.acquire();
                    wakeups.drainPermits();
                    PullResponse page;
                    do {
                        if (closed) {
                            break;
                        }
                        page = hub.pull(principal, new PullRequest(cursor, PullRequest.DEFAULT_LIMIT, Set.of()));
                        if (!page.changes().isEmpty() || !page.cursor().equals(cursor)) {
                            listener.onPage(page);
                        }
                        cursor = page.cursor();
                    } while (page.hasMore());
                }
            } catch (ProblemException e) {
                if (e.type() == ProblemType.CURSOR_EXPIRED) {
                    live.remove(this);
                    commits.close();
                    listener.onResync();
                    return;
                }
                error = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                error = e;
            }
            commits.close();
            live.remove(this);
            listener.onClosed(error != null ? error : lost);
        }
    }
}
