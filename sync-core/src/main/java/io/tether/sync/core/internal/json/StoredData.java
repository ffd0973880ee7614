package io.tether.sync.core.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads record data that a store kept as JSON text, in one streaming pass: stored data was written by this codec,
 * so it needs none of the per-field error reporting a client's input gets, and it is read far more often (every
 * pulled log entry, outbox entry and journal row). Values come out as the protocol reader makes them: objects as
 * ordered maps, integers as {@code Long}, other numbers as {@code Double}.
 */
final class StoredData {
    private StoredData() {
    }

    /** The object of {@code json}; throws {@link IllegalArgumentException} naming what is wrong. */
    static Map<String, Object> read(JsonFactory factory, String json) {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("stored record data must be a JSON object");
            }
            Map<String, Object> data = object(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("stored record data has content after its object");
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored record data is not valid JSON object text: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source does not fail to read
        }
    }

    private static Map<String, Object> object(JsonParser p) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            out.put(name, value(p));
        }
        return out;
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_STRING:
                return p.getText();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new IllegalArgumentException("stored record data holds an integer beyond 64 bits: "
                            + p.getText());
                }
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                double d = p.getDoubleValue();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("stored record data holds a number out of range: " + p.getText());
                }
                return d;
            case START_OBJECT:
                return object(p);
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            default:
                throw new IllegalArgumentException("stored record data holds an unexpected " + p.currentToken());
        }
    }
}
