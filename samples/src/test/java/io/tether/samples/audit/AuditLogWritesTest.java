package io.tether.samples.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Tether;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryReplicaStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AuditLogWritesTest {
    @Test
    void everyCommittedChangeBecomesOneJsonLine(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        CollectionSchema notes = CollectionSchema.builder("notes").field("text", FieldType.STRING, false).build();
        try (HubEngine hub = Tether.hub().store(MemoryStore.hub()).collection(notes).build().start()) {
            MemoryReplicaStore store = MemoryStore.replica();
            try (ReplicaEngine engine = Tether.replica().store(store)
                    .transport(new InProcessTransport(hub.service(), Principal.of("alice")))
                    .plugin("audit-log").property("tether.audit-log.file", log.toString())
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).build().start()) {
                store.put("notes", "n1", Map.of("id", "n1", "text", "hello"));
                store.put("notes", "n1", Map.of("id", "n1", "text", "hello again"));
                store.delete("notes", "n1");
            }
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), String.join("\n", lines));
        ObjectMapper json = new ObjectMapper();
        assertEquals("upsert", json.readTree(lines.get(0)).get("op").asText());
        assertEquals("hello again", json.readTree(lines.get(1)).get("after").get("text").asText());
        assertEquals("[\"text\"]", json.readTree(lines.get(1)).get("changed").toString());
        assertEquals("delete", json.readTree(lines.get(2)).get("op").asText());
    }
}
