package io.tether.sync.core.internal.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.auto.service.AutoService;
import io.tether.sync.ProblemException;
import io.tether.sync.Values;
import io.tether.sync.spi.FieldError;
import io.tether.sync.spi.LiveMessage;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProtocolCodec;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.StoreContext;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The protocol codec of PROTOCOL.md on Jackson. Writers stream with a {@link JsonGenerator}; readers parse to a tree
 * (duplicate keys and content after the value are malformed), then validate by hand, reporting every offending
 * field in one {@code bad-request} {@link ProblemException}. Record data reads as canonical Java values
 * ({@link Values}): objects as ordered maps, arrays as lists, integers as {@code Long}, other numbers as
 * {@code Double}. Thread-safe; one shared, configured {@link JsonFactory}.
 */
@AutoService(ProtocolCodec.class)
public final class JacksonProtocolCodec implements ProtocolCodec, StoreContext.JsonText {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /** Creates a codec; all instances share one configured Jackson factory. */
    public JacksonProtocolCodec() {
    }

    // ---- protocol -------------------------------------------------------------------------------------------

    @Override
    public PushRequest readPushRequest(byte[] json) {
        return read(json, "push request", WireReader::pushRequest);
    }

    @Override
    public byte[] writePushRequest(PushRequest request) {
        Objects.requireNonNull(request, "request");
        return bytes(g -> WireWriter.pushRequest(g, request));
    }

    @Override
    public PushResponse readPushResponse(byte[] json) {
        return read(json, "push response", WireReader::pushResponse);
    }

    @Override
    public byte[] writePushResponse(PushResponse response) {
        Objects.requireNonNull(response, "response");
        return bytes(g -> WireWriter.pushResponse(g, response));
    }

    @Override
    public PullResponse readPullResponse(byte[] json) {
        return read(json, "pull response", WireReader::pullResponse);
    }

    @Override
    public byte[] writePullResponse(PullResponse response) {
        Objects.requireNonNull(response, "response");
        return bytes(g -> WireWriter.pullResponse(g, response));
    }

    @Override
    public Schema readSchema(byte[] json) {
        return read(json, "schema", WireReader::schema);
    }

    @Override
    public byte[] writeSchema(Schema schema) {
        Objects.requireNonNull(schema, "schema");
        return bytes(g -> WireWriter.schema(g, schema));
    }

    @Override
    public Problem readProblem(byte[] json) {
        return read(json, "problem", WireReader::problem);
    }

    @Override
    public byte[] writeProblem(Problem problem) {
        Objects.requireNonNull(problem, "problem");
        return bytes(g -> WireWriter.problem(g, problem));
    }

    @Override
    public LiveMessage readLiveMessage(String json) {
        Objects.requireNonNull(json, "json");
        return read("live message", WireReader::liveMessage, () -> MAPPER.readTree(json));
    }

    @Override
    public String writeLiveMessage(LiveMessage message) {
        Objects.requireNonNull(message, "message");
        return text(g -> WireWriter.liveMessage(g, message));
    }

    // ---- JsonText -------------------------------------------------------------------------------------------

    /** Record data as compact JSON text, keys in map order; data this codec read from text is that text. */
    @Override
    public String write(Map<String, Object> data) {
        Objects.requireNonNull(data, "data");
        String stored = Values.jsonText(data);
        return stored != null ? stored : text(g -> WireWriter.data(g, data));
    }

    /**
     * Record data from JSON text that {@link #write} made, as an immutable canonical map that is parsed when a field
     * is first read ({@link Values#ofJson}), and written out again as the same text. Reading it throws
     * {@link IllegalArgumentException} when the text is not one JSON object (stored data is not a client's input, so
     * it is not a protocol problem).
     */
    @Override
    public Map<String, Object> read(String json) {
        Objects.requireNonNull(json, "json");
        return Values.ofJson(json, STORED);
    }

    private static final Function<String, Map<String, Object>> STORED =
            text -> StoredData.read(FACTORY, text);

    // ---- plumbing -------------------------------------------------------------------------------------------

    private interface TreeSource {
        JsonNode parse() throws IOException;
    }

    private interface GeneratorWork {
        void write(JsonGenerator g) throws IOException;
    }

    private static <T> T read(byte[] json, String what, BiFunction<WireReader, JsonNode, T> shape) {
        Objects.requireNonNull(json, "json");
        return read(what, shape, () -> json.length == 0 ? null : MAPPER.readTree(json));
    }

    private static <T> T read(String what, BiFunction<WireReader, JsonNode, T> shape,
                              TreeSource source) {
        JsonNode root;
        try {
            root = source.parse();
        } catch (JsonProcessingException e) {
            throw malformed(what, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return shape.apply(new WireReader(what), root);
    }

    private static ProblemException malformed(String what, JsonProcessingException e) {
        String reason = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        if (reason.startsWith("Trailing token")) {
            return new ProblemException(Problem.badRequest("The " + what + " is malformed: content after the JSON "
                    + "value makes the body malformed.", List.of(new FieldError(WireReader.ROOT,
                    "content after the JSON value"))));
        }
        String field = WireReader.ROOT;
        if (e instanceof StreamReadException read && read.getProcessor() != null) {
            field = path(read.getProcessor().getParsingContext());
        }
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return new ProblemException(Problem.badRequest("The " + what + " is malformed JSON: " + reason + where + ".",
                List.of(new FieldError(field, reason))));
    }

    /** The path of a parser position in the form used by {@link FieldError}s: {@code changes[3].id}. */
    private static String path(JsonStreamContext context) {
        List<String> segments = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                segments.add("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                segments.add(c.getCurrentName());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = segments.size() - 1; i >= 0; i--) {
            String s = segments.get(i);
            if (!s.startsWith("[") && out.length() > 0) {
                out.append('.');
            }
            out.append(s);
        }
        return out.length() == 0 ? WireReader.ROOT : out.toString();
    }

    private static byte[] bytes(GeneratorWork work) {
        ByteArrayBuilder out = new ByteArrayBuilder(4096);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            work.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String text(GeneratorWork work) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            work.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
