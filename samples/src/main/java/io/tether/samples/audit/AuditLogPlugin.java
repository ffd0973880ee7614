package io.tether.samples.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auto.service.AutoService;
import io.tether.sync.ChangeBatch;
import io.tether.sync.ChangeEvent;
import io.tether.sync.ConfigurationException;
import io.tether.sync.Subscription;
import io.tether.sync.SyncException;
import io.tether.sync.spi.PluginContext;
import io.tether.sync.spi.SyncPlugin;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A custom plugin, as an example of the SPI: it appends every committed change of the node it runs on to a JSON
 * Lines file, one object per change. Enable it with {@code tether.plugins=audit-log} and
 * {@code tether.audit-log.file=/var/log/tether-audit.jsonl}; {@code tether.audit-log.include-remote=false} leaves out
 * changes applied from the other side.
 *
 * <pre>{@code
 * {"at":"2026-11-22T10:00:00Z","batch":7,"origin":"LOCAL","collection":"tasks","id":"t1","op":"upsert",
 *  "version":0,"changed":["title"],"after":{"id":"t1","title":"Buy milk","done":false}}
 * }</pre>
 */
@AutoService(SyncPlugin.class)
public final class AuditLogPlugin implements SyncPlugin {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BufferedWriter writer;
    private Subscription subscription;
    private boolean includeRemote;

    @Override
    public String name() {
        return "audit-log";
    }

    @Override
    public synchronized void start(PluginContext context) {
        if (writer != null) {
            return;
        }
        String file = context.config().require("file");
        includeRemote = context.config().flag("include-remote", true);
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            throw new ConfigurationException(context.config().fullName("file") + " is not a valid path: " + file);
        }
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ConfigurationException(context.config().fullName("file") + " cannot be opened for appending: "
                    + e.getMessage(), e);
        }
        subscription = context.onChange(this::append);
    }

    private synchronized void append(ChangeBatch batch) {
        if (writer == null || (!includeRemote && batch.origin() == io.tether.sync.Origin.REMOTE)) {
            return;
        }
        try {
            String at = Instant.now().toString();
            for (ChangeEvent change : batch.changes()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("at", at);
                line.put("batch", batch.sequence());
                line.put("origin", batch.origin().name());
                line.put("collection", change.collection());
                line.put("id", change.id());
                line.put("op", change.op().wireName());
                line.put("version", change.version());
                line.put("changed", change.changedFields());
                line.put("after", change.after());
                writer.write(JSON.writeValueAsString(line));
                writer.newLine();
            }
            writer.flush();
        } catch (IOException e) {
            throw new SyncException("audit log write failed: " + e.getMessage(), new UncheckedIOException(e));
        }
    }

    @Override
    public synchronized void stop() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writer = null;
            }
        }
    }
}
