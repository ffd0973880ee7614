package io.tether.sync;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Record data is JSON-shaped: {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code null},
 * {@code Map<String, Object>} and {@code List<Object>}. This class copies such values into immutable,
 * canonical form (integral numbers as {@code Long}, other numbers as {@code Double}), keeping {@code null}s
 * that {@link Map#copyOf} would refuse.
 */
public final class Values {
    private Values() {
    }

    /**
     * An immutable canonical copy of a record's fields; {@code null} stays {@code null}. A map this method or
     * {@link #ofJson} made is returned as it is (it is already immutable and canonical), so passing records along
     * costs no copies.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> copy(Map<String, ?> data) {
        if (data == null) {
            return null;
        }
        if (data instanceof Frozen frozen) {
            return frozen;
        }
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, (int) (data.size() / 0.75f) + 1));
        data.forEach((k, v) -> out.put(k, canonical(v)));
        return new Frozen(out);
    }

    /**
     * Record data kept as the JSON object text it was stored as, parsed by {@code parser} the first time a field is
     * asked for. A writer of JSON takes the text as it is ({@link #jsonText}), so data that a store reads and a
     * transport sends on (a hub serving a pull, a replica pushing its outbox) is never parsed at all. The parser
     * returns the text's data as JSON-shaped values (they are then copied as {@link #copy} copies) and fails on text
     * that is not one JSON object; it runs at most once per map that is read (or, under a race, once per reading
     * thread).
     *
     * @param json   the record as compact JSON object text, as the codec that will write it out writes records
     * @param parser turns the text into record data; called lazily
     */
    @Incubating
    public static Map<String, Object> ofJson(String json, Function<String, Map<String, Object>> parser) {
        return new Frozen(Objects.requireNonNull(json, "json"), Objects.requireNonNull(parser, "parser"));
    }

    /** The text of a map made by {@link #ofJson}, or null for any other map. */
    @Incubating
    public static String jsonText(Map<String, ?> data) {
        return data instanceof Frozen frozen ? frozen.json : null;
    }

    /**
     * A canonical record: made by {@link #copy} over a backing map nothing else holds, or by {@link #ofJson} over
     * stored text, parsed into such a copy the first time a field is asked for. Immutable; safe to share.
     */
    private static final class Frozen extends java.util.AbstractMap<String, Object> {
        /** The fields of a copy, unmodifiable; null for stored text. */
        private final Map<String, Object> copied;
        /** The stored text, or null for a copy. */
        private final String json;
        private final Function<String, Map<String, Object>> parser;
        /** The fields of stored text once parsed. */
        private volatile Map<String, Object> parsed;

        Frozen(Map<String, Object> fields) {
            this.copied = Collections.unmodifiableMap(fields);
            this.json = null;
            this.parser = null;
        }

        Frozen(String json, Function<String, Map<String, Object>> parser) {
            this.copied = null;
            this.json = json;
            this.parser = parser;
        }

        private Map<String, Object> fields() {
            if (copied != null) {
                return copied;
            }
            Map<String, Object> f = parsed;
            if (f == null) {
                f = copy(parser.apply(json));
                parsed = f;
            }
            return f;
        }

        @Override
        public java.util.Set<Entry<String, Object>> entrySet() {
            return fields().entrySet();
        }

        @Override
        public Object get(Object key) {
            return fields().get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return fields().containsKey(key);
        }

        @Override
        public int size() {
            return fields().size();
        }

        @Override
        public java.util.Set<String> keySet() {
            return fields().keySet();
        }

        @Override
        public boolean equals(Object o) {
            // the same text is the same record; different texts may still hold equal data (key order, spacing)
            return o instanceof Frozen other && json != null && json.equals(other.json) || super.equals(o);
        }

        @Override
        public int hashCode() {
            return fields().hashCode();
        }
    }

    /** The canonical, immutable form of one JSON-shaped value. */
    @SuppressWarnings("unchecked")
    public static Object canonical(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof java.math.BigInteger big) {
            return big.longValueExact();
        }
        if (value instanceof java.math.BigDecimal dec) {
            return dec.scale() <= 0 && dec.stripTrailingZeros().scale() <= 0 && dec.abs().compareTo(LONG_MAX) <= 0
                    ? (Object) dec.longValueExact() : (Object) dec.doubleValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Map<?, ?> map) {
            return copy((Map<String, ?>) map);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(canonical(v)));
            return Collections.unmodifiableList(out);
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }

    private static final java.math.BigDecimal LONG_MAX = java.math.BigDecimal.valueOf(Long.MAX_VALUE);
}
