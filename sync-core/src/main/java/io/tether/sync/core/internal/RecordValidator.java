package io.tether.sync.core.internal;

import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldSchema;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks a record's data against its collection's schema, collecting every problem. */
public final class RecordValidator {
    private RecordValidator() {
    }

    /**
     * The problems of {@code data} as the full state of record {@code id}; empty when valid. The scope field may be
     * absent (the hub fills it in).
     */
    public static List<String> problems(CollectionSchema schema, String id, Map<String, Object> data) {
        List<String> problems = new ArrayList<>();
        for (String field : data.keySet()) {
            if (schema.field(field).isEmpty()) {
                problems.add("field '" + field + "' is not in collection '" + schema.name() + "'");
            }
        }
        Object idValue = data.get(schema.idField());
        if (idValue != null && !id.equals(idValue)) {
            problems.add("field '" + schema.idField() + "' is '" + idValue + "' but the change is for id '" + id + "'");
        }
        for (FieldSchema f : schema.fields()) {
            boolean filledByHub = f.name().equals(schema.idField()) || f.name().equals(schema.scopeField());
            Object value = data.get(f.name());
            if (value == null) {
                if (!f.nullable() && !filledByHub) {
                    problems.add("field '" + f.name() + "' must not be null");
                }
                continue;
            }
            String typeProblem = typeProblem(f, value);
            if (typeProblem != null) {
                problems.add(typeProblem);
            }
        }
        return problems;
    }

    private static String typeProblem(FieldSchema f, Object value) {
        boolean ok = switch (f.type()) {
            case STRING -> value instanceof String;
            case INTEGER -> value instanceof Long;
            case NUMBER -> value instanceof Long || value instanceof Double;
            case BOOLEAN -> value instanceof Boolean;
            case TIMESTAMP -> value instanceof String s && isTimestamp(s);
            case JSON -> true;
        };
        if (ok) {
            return null;
        }
        String expected = switch (f.type()) {
            case STRING -> "a string";
            case INTEGER -> "an integer";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case TIMESTAMP -> "an RFC 3339 timestamp string";
            case JSON -> "JSON";
        };
        return "field '" + f.name() + "' must be " + expected + ", was " + describe(value);
    }

    private static boolean isTimestamp(String s) {
        try {
            OffsetDateTime.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return "the string \"" + (s.length() > 30 ? s.substring(0, 30) + "..." : s) + "\"";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        return String.valueOf(value);
    }
}
