package io.tether.samples.audit;

import io.tether.sync.spi.SyncPlugin;
import io.tether.sync.tck.PluginFeatures;
import io.tether.sync.tck.PluginKit;

import java.util.Map;

/** The sample plugin runs the TCK's plugin kit, as any plugin should. */
class AuditLogPluginTest extends PluginKit {
    @Override
    protected SyncPlugin createPlugin() {
        return new AuditLogPlugin();
    }

    @Override
    protected PluginFeatures features() {
        return PluginFeatures.defaults()
                .withConfiguration(Map.of("tether.audit-log.file", "target/audit-log-tck.jsonl"))
                .withBadConfiguration(Map.of("tether.audit-log.include-remote", "sometimes"));
    }
}
