package io.tether.sync.core.internal;

import io.tether.sync.ChangeListener;
import io.tether.sync.ConfigurationException;
import io.tether.sync.RecordQuery;
import io.tether.sync.Subscription;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.PersistenceHook;
import io.tether.sync.spi.PluginConfig;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.ProtocolCodec;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncClock;
import io.tether.sync.spi.SyncTransport;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/** What an engine gives one plugin. */
public record CorePluginContext(Role role, PluginConfig config, ChangeBus bus, Schema schema, Hooks hooks,
                                RecordQuery records, ScheduledExecutorService scheduler, SyncClock clock,
                                ProtocolCodec codec, Optional<HubService> hub, Consumer<SyncTransport> transports,
                                Runnable syncRequests) implements PluginContext {

    @Override
    public Subscription onChange(ChangeListener listener) {
        return bus.subscribe(listener);
    }

    @Override
    public Subscription addHook(PersistenceHook hook) {
        return hooks.add(hook);
    }

    @Override
    public void useTransport(SyncTransport transport) {
        if (role != Role.REPLICA) {
            throw new ConfigurationException("plugin '" + config.plugin() + "' installed a transport on a hub; "
                    + "transports belong to replicas");
        }
        transports.accept(transport);
    }

    @Override
    public void requestSync() {
        syncRequests.run();
    }
}
