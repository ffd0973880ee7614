package io.tether.sync;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        if (data instanceof Frozen frozen) {
            return frozen;
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
