package io.tether.sync.core.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tether.sync.Operation;
import io.tether.sync.Values;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.FieldError;
import io.tether.sync.spi.FieldSchema;
import io.tether.sync.spi.LiveMessage;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.Schema;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Streams the protocol's JSON shapes (PROTOCOL.md) to a {@link JsonGenerator}: no intermediate trees, so a pull
 * page of thousands of records costs one pass. Stateless.
 */
final class WireWriter {
    private WireWriter() {
    }

    static void pushRequest(JsonGenerator g, PushRequest request) throws IOException {
        g.writeStartObject();
        g.writeStringField("clientId", request.clientId());
        g.writeFieldName("changes");
        changes(g, request.changes());
        g.writeEndObject();
    }

    static void pushResponse(JsonGenerator g, PushResponse response) throws IOException {
        g.writeStartObject();
        g.writeFieldName("results");
        results(g, response.results());
        if (response.cursor() != null) {
            g.writeStringField("cursor", response.cursor());
        }
        g.writeEndObject();
    }

    static void pullResponse(JsonGenerator g, PullResponse response) throws IOException {
        g.writeStartObject();
        pageFields(g, response.changes(), response.cursor(), response.hasMore());
        g.writeEndObject();
    }

    static void schema(JsonGenerator g, Schema schema) throws IOException {
        g.writeStartObject();
        g.writeNumberField("version", schema.version());
        g.writeArrayFieldStart("collections");
        for (CollectionSchema c : schema.collections()) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("idField", c.idField());
            if (c.scopeField() != null) {
                g.writeStringField("scopeField", c.scopeField());
            }
            g.writeArrayFieldStart("fields");
            for (FieldSchema f : c.fields()) {
                g.writeStartObject();
                g.writeStringField("name", f.name());
                g.writeStringField("type", f.type().wireName());
                g.writeBooleanField("nullable", f.nullable());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    static void problem(JsonGenerator g, Problem problem) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", problem.type().wireName());
        g.writeStringField("title", problem.title());
        g.writeNumberField("status", problem.status());
        g.writeStringField("detail", problem.detail());
        if (!problem.errors().isEmpty()) {
            g.writeArrayFieldStart("errors");
            for (FieldError e : problem.errors()) {
                g.writeStartObject();
                g.writeStringField("field", e.field());
                g.writeStringField("message", e.message());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (problem.latestVersion() != null) {
            g.writeNumberField("latestVersion", problem.latestVersion());
        }
        if (problem.seenUntil() != null) {
            g.writeStringField("seenUntil", problem.seenUntil().toString());
        }
        g.writeEndObject();
    }

    static void liveMessage(JsonGenerator g, LiveMessage message) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", message.type());
        if (message instanceof LiveMessage.Hello m) {
            g.writeStringField("clientId", m.clientId());
            g.writeStringField("token", m.token());
            if (m.cursor() != null) {
                g.writeStringField("cursor", m.cursor());
            }
            if (m.schemaVersion() != null) {
                g.writeNumberField("schemaVersion", m.schemaVersion());
            }
        } else if (message instanceof LiveMessage.Welcome m) {
            if (m.cursor() != null) {
                g.writeStringField("cursor", m.cursor());
            }
        } else if (message instanceof LiveMessage.Changes m) {
            pageFields(g, m.changes(), m.cursor(), m.hasMore());
        } else if (message instanceof LiveMessage.Push m) {
            g.writeStringField("requestId", m.requestId());
            g.writeFieldName("changes");
            changes(g, m.changes());
        } else if (message instanceof LiveMessage.PushResult m) {
            g.writeStringField("requestId", m.requestId());
            g.writeFieldName("results");
            results(g, m.results());
            if (m.cursor() != null) {
                g.writeStringField("cursor", m.cursor());
            }
        } else if (message instanceof LiveMessage.Ack m) {
            g.writeStringField("cursor", m.cursor());
        } else if (message instanceof LiveMessage.Error m) {
            g.writeFieldName("problem");
            problem(g, m.problem());
        } else if (!(message instanceof LiveMessage.Resync)) {
            throw new IllegalArgumentException("unknown live message " + message.getClass().getName());
        }
        g.writeEndObject();
    }

    private static void pageFields(JsonGenerator g, List<DeliveredChange> changes, String cursor, boolean hasMore)
            throws IOException {
        g.writeArrayFieldStart("changes");
        for (DeliveredChange c : changes) {
            g.writeStartObject();
            g.writeStringField("collection", c.collection());
            g.writeStringField("id", c.id());
            g.writeStringField("op", c.op().wireName());
            g.writeNumberField("version", c.version());
            if (c.op() == Operation.UPSERT && c.data() != null) {
                g.writeFieldName("data");
                data(g, c.data());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("cursor", cursor);
        g.writeBooleanField("hasMore", hasMore);
    }

    private static void changes(JsonGenerator g, List<Change> changes) throws IOException {
        g.writeStartArray();
        for (Change c : changes) {
            g.writeStartObject();
            g.writeStringField("changeId", c.changeId());
            g.writeStringField("collection", c.collection());
            g.writeStringField("id", c.id());
            g.writeStringField("op", c.op().wireName());
            if (c.op() == Operation.UPSERT && c.data() != null) {
                g.writeFieldName("data");
                data(g, c.data());
            }
            if (c.fields() != null) {
                g.writeArrayFieldStart("fields");
                for (String f : c.fields()) {
                    g.writeString(f);
                }
                g.writeEndArray();
            }
            if (c.baseVersion() != null) {
                g.writeNumberField("baseVersion", c.baseVersion());
            }
            if (c.hlc() != null) {
                g.writeStringField("hlc", c.hlc());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void results(JsonGenerator g, List<PushResult> results) throws IOException {
        g.writeStartArray();
        for (PushResult r : results) {
            g.writeStartObject();
            g.writeStringField("changeId", r.changeId());
            g.writeStringField("status", r.status());
            if (r instanceof PushResult.Applied a) {
                g.writeNumberField("version", a.version());
            } else if (r instanceof PushResult.Duplicate d) {
                g.writeNumberField("version", d.version());
            } else if (r instanceof PushResult.Merged m) {
                g.writeNumberField("version", m.version());
                g.writeFieldName("record");
                data(g, m.record());
            } else if (r instanceof PushResult.Conflict c) {
                g.writeNumberField("version", c.version());
                if (c.record() != null) {
                    g.writeFieldName("record");
                    data(g, c.record());
                }
                g.writeStringField("resolution", c.resolution());
            } else if (r instanceof PushResult.Rejected rej) {
                g.writeStringField("reason", rej.reason().wireName());
                if (rej.message() != null) {
                    g.writeStringField("message", rej.message());
                }
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Writes record data; {@code null} writes JSON null. */
    static void data(JsonGenerator g, Map<String, ?> data) throws IOException {
        if (data == null) {
            g.writeNull();
            return;
        }
        String stored = Values.jsonText(data);
        if (stored != null) {
            g.writeRawValue(stored); // written by this codec: passed on without parsing it
            return;
        }
        g.writeStartObject();
        for (Map.Entry<String, ?> e : data.entrySet()) {
            g.writeFieldName(e.getKey());
            value(g, e.getValue());
        }
        g.writeEndObject();
    }

    @SuppressWarnings("unchecked")
    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("record data holds a non-finite number (" + d
                        + "), which JSON cannot represent");
            }
            g.writeNumber(d);
        } else if (v instanceof BigInteger big) {
            g.writeNumber(big);
        } else if (v instanceof BigDecimal dec) {
            g.writeNumber(dec);
        } else if (v instanceof Map<?, ?> map) {
            data(g, (Map<String, ?>) map);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                value(g, item);
            }
            g.writeEndArray();
        } else {
            throw new IllegalArgumentException("record data holds a " + v.getClass().getName()
                    + ", which is not a JSON value (use String, Long, Double, Boolean, Map, List or null)");
        }
    }
}
