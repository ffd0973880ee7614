package io.tether.sync.tck.plugins;

import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.SyncPlugin;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A well-behaved plugin with its own thread: ticks every {@code tether.ticker.interval}. Listed as a service. */
public final class TickerPlugin implements SyncPlugin {
    private final AtomicLong ticks = new AtomicLong();
    private ScheduledExecutorService timer;

    @Override
    public String name() {
        return "ticker";
    }

    @Override
    public synchronized void start(PluginContext context) {
        Duration interval = context.config().duration("interval", Duration.ofMillis(10));
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ticker"));
        timer.scheduleAtFixedRate(ticks::incrementAndGet, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer = null;
    }
}
