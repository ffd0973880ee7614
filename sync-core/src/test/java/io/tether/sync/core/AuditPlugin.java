package io.tether.sync.core;

import io.tether.sync.Origin;
import io.tether.sync.Subscription;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.SyncPlugin;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A test plugin, registered in META-INF/services: records local changes it is told about. */
public final class AuditPlugin implements SyncPlugin {
    static final List<String> events = new CopyOnWriteArrayList<>();
    private Subscription subscription;

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public void start(PluginContext context) {
        String prefix = context.config().string("prefix", "");
        events.add("start");
        subscription = context.onChange(batch -> {
            if (batch.origin() == Origin.LOCAL) {
                batch.changes().forEach(c -> events.add(prefix + c.collection() + "/" + c.id()));
            }
        });
    }

    @Override
    public void stop() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
            events.add("stop");
        }
    }
}
