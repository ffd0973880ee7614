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
     * An immutable canonical copy of a record's fields; {@code null} stays {@code null}. A map this method made is
     * returned as it is (it is already immutable and canonical), so passing records along costs no copies.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> copy(Map<String, ?> data) {
        if (data == null) {
            return null;
        }
        if (data instanceof Frozen || data instanceof Stored) {
            return (Map<String, Object>) data;
        }
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, (int) (data.size() / 0.75f) + 1));
        data.forEach((k, v) -> out.put(k, canonical(v)));
        return new Frozen(out);
    }

    /** A canonical record made by {@link #copy}: immutable because nothing else holds its backing map. */
    private static final class Frozen extends java.util.AbstractMap<String, Object> {
        private final Map<String, Object> fields;
        private final java.util.Set<Entry<String, Object>> entries;

        Frozen(Map<String, Object> fields) {
            this.fields = fields;
            this.entries = Collections.unmodifiableMap(fields).entrySet();
        }

        @Override
        public java.util.Set<Entry<String, Object>> entrySet() {
            return entries;
        }

        @Override
        public Object get(Object key) {
            return fields.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return fields.containsKey(key);
        }

        @Override
        public int size() {
            return fields.size();
        }

        @Override
        public java.util.Set<String> keySet() {
            return Collections.unmodifiableSet(fields.keySet());
        }
    }

    /**
     * Record data kept as the JSON object text it was stored as, parsed by {@code parser} the first time a field is
     * asked for. A writer of JSON takes the text as it is ({@link #jsonText}), so data that a store reads and a
     * transport sends on (a hub serving a pull, a replica pushing its outbox) is never parsed at all. The parser
     * must return the canonical data of the text, as {@link #copy} makes it, and fail on text that is not one JSON
     * object; it runs at most once per map that is read (or, under a race, once per reading thread).
     *
     * @param json   the record as compact JSON object text, as the codec that will write it out writes records
     * @param parser turns the text into record data; called lazily
     */
    @Incubating
    public static Map<String, Object> ofJson(String json, Function<String, Map<String, Object>> parser) {
        return new Stored(Objects.requireNonNull(json, "json"), Objects.requireNonNull(parser, "parser"));
    }

    /** The text of a map made by {@link #ofJson}, or null for any other map. */
    @Incubating
    public static String jsonText(Map<String, ?> data) {
        return data instanceof Stored stored ? stored.json : null;
    }

    /** Record data as stored JSON text, parsed on first use. Immutable; safe to share between threads. */
    private static final class Stored extends java.util.AbstractMap<String, Object> {
        private final String json;
        private final Function<String, Map<String, Object>> parser;
        private volatile Map<String, Object> fields;

        Stored(String json, Function<String, Map<String, Object>> parser) {
            this.json = json;
            this.parser = parser;
        }

        private Map<String, Object> fields() {
            Map<String, Object> f = fields;
            if (f == null) {
                f = copy(parser.apply(json));
                fields = f;
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
            return o instanceof Stored other && json.equals(other.json) || super.equals(o);
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
