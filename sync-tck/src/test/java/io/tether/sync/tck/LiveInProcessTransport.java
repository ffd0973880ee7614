package io.tether.sync.tck;

import io.tether.sync.Subscription;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * A small transport with live delivery over {@link HubService#subscribe}, for the broken-live case: catch-up
 * pages from the cursor, then committed changes the principal may read. {@code mayRead} decides what a principal
 * sees live; the broken variant lets everything through.
 */
final class LiveInProcessTransport implements SyncTransport {
    private final HubService hub;
    private final Principal principal;
    private final BiPredicate<Principal, LogEntry> mayRead;

    LiveInProcessTransport(HubService hub, Principal principal, BiPredicate<Principal, LogEntry> mayRead) {
        this.hub = hub;
        this.principal = principal;
        this.mayRead = mayRead;
    }

    @Override
    public PushResponse push(PushRequest request) {
        return hub.push(principal, request);
    }

    @Override
    public PullResponse pull(PullRequest request) {
        return hub.pull(principal, request);
    }

    @Override
    public Schema schema() {
        return hub.schema();
    }

    @Override
    public boolean supportsLive() {
        return true;
    }

    @Override
    public Subscription subscribe(String cursor, LiveListener listener) {
        BlockingQueue<List<DeliveredChange>> committed = new LinkedBlockingQueue<>();
        Subscription feed = hub.subscribe(entries -> {
            List<DeliveredChange> visible = entries.stream().filter(e -> mayRead.test(principal, e))
                    .map(LogEntry::toDelivered).toList();
            if (!visible.isEmpty()) {
                committed.add(visible);
            }
        });
        Thread worker = new Thread(() -> {
            try {
                long seen = 0;
                String at = cursor;
                PullResponse page;
                do {
                    page = hub.pull(principal, new PullRequest(at, 500, Set.of()));
                    listener.onPage(page);
                    at = page.cursor();
                    for (DeliveredChange c : page.changes()) {
                        seen = Math.max(seen, c.version());
                    }
                } while (page.hasMore());
                while (!Thread.currentThread().isInterrupted()) {
                    List<DeliveredChange> batch = committed.poll(50, TimeUnit.MILLISECONDS);
                    if (batch == null) {
                        continue;
                    }
                    long after = seen;
                    List<DeliveredChange> fresh = batch.stream().filter(c -> c.version() > after).toList();
                    if (!fresh.isEmpty()) {
                        seen = fresh.get(fresh.size() - 1).version();
                        listener.onPage(new PullResponse(fresh, hub.cursorAt(seen), false));
                    }
                }
                listener.onClosed(null);
            } catch (InterruptedException e) {
                listener.onClosed(null);
            } catch (RuntimeException e) {
                listener.onClosed(e);
            }
        }, "tck-live-in-process");
        worker.setDaemon(true);
        worker.start();
        return () -> {
            feed.close();
            worker.interrupt();
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
