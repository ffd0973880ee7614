package io.tether.sync.tck.plugins;

import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.SyncPlugin;

/** Deliberately broken: starts a worker thread that stop() never ends. */
public final class LeakyPlugin implements SyncPlugin {
    @Override
    public String name() {
        return "leaky";
    }

    @Override
    public void start(PluginContext context) {
        Thread worker = new Thread(() -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "leaky-worker");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void stop() {
    }
}
