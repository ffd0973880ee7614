package io.tether.sync.jpa.internal;

import io.tether.sync.Values;
import io.tether.sync.spi.FieldType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Converts between an entity attribute's Java value and its canonical JSON value ({@link Values}): integers as
 * {@code Long}, other numbers as {@code Double}, timestamps as RFC 3339 strings, enums by name, UUIDs and dates
 * as strings.
 */
final class JsonValues {
    private JsonValues() {
    }

    /** The schema type of a Java attribute type. */
    static FieldType typeOf(Class<?> type) {
        Class<?> t = boxed(type);
        if (t == Long.class || t == Integer.class || t == Short.class || t == Byte.class || t == BigInteger.class) {
            return FieldType.INTEGER;
        }
        if (t == Double.class || t == Float.class || t == BigDecimal.class) {
            return FieldType.NUMBER;
        }
        if (t == Boolean.class) {
            return FieldType.BOOLEAN;
        }
        if (t == Instant.class || t == OffsetDateTime.class || t == ZonedDateTime.class || t == LocalDateTime.class
                || Date.class.isAssignableFrom(t)) {
            return FieldType.TIMESTAMP;
        }
        if (Map.class.isAssignableFrom(t) || List.class.isAssignableFrom(t)) {
            return FieldType.JSON;
        }
        return FieldType.STRING;
    }

    /** The canonical JSON form of an attribute value. */
    static Object toJson(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Character c) {
            return String.valueOf(c);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof UUID || value instanceof LocalDate || value instanceof LocalTime) {
            return value.toString();
        }
        if (value instanceof Instant i) {
            return i.toString();
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant().toString();
        }
        if (value instanceof ZonedDateTime z) {
            return z.toInstant().toString();
        }
        if (value instanceof LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC).toString();
        }
        if (value instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        if (value instanceof Date d) {
            return d.toInstant().toString();
        }
        return Values.canonical(value);
    }

    /** The attribute value of a canonical JSON value, for an attribute of type {@code type}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object fromJson(Object json, Class<?> type) {
        if (json == null) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException("null for a primitive " + type.getName());
            }
            return null;
        }
        Class<?> t = boxed(type);
        if (t.isInstance(json) && !(json instanceof Map) && !(json instanceof List)) {
            return json;
        }
        if (json instanceof Number n) {
            if (t == Long.class) {
                return n.longValue();
            }
            if (t == Integer.class) {
                return (int) inRange(n, Integer.MIN_VALUE, Integer.MAX_VALUE, "a 32-bit integer");
            }
            if (t == Short.class) {
                return (short) inRange(n, Short.MIN_VALUE, Short.MAX_VALUE, "a 16-bit integer");
            }
            if (t == Byte.class) {
                return (byte) inRange(n, Byte.MIN_VALUE, Byte.MAX_VALUE, "an 8-bit integer");
            }
            if (t == Double.class) {
                return n.doubleValue();
            }
            if (t == Float.class) {
                return n.floatValue();
            }
            if (t == BigInteger.class) {
                return BigInteger.valueOf(n.longValue());
            }
            if (t == BigDecimal.class) {
                return n instanceof Long l ? BigDecimal.valueOf(l) : BigDecimal.valueOf(n.doubleValue());
            }
            if (t == String.class) {
                return n.toString();
            }
        }
        if (json instanceof String s) {
            if (t == UUID.class) {
                return UUID.fromString(s);
            }
            if (t.isEnum()) {
                return Enum.valueOf((Class<Enum>) t, s);
            }
            if (t == Character.class) {
                return s.isEmpty() ? null : s.charAt(0);
            }
            if (t == Instant.class) {
                return OffsetDateTime.parse(s).toInstant();
            }
            if (t == OffsetDateTime.class) {
                return OffsetDateTime.parse(s);
            }
            if (t == ZonedDateTime.class) {
                return OffsetDateTime.parse(s).toZonedDateTime();
            }
            if (t == LocalDateTime.class) {
                return LocalDateTime.ofInstant(OffsetDateTime.parse(s).toInstant(), ZoneOffset.UTC);
            }
            if (t == LocalDate.class) {
                return LocalDate.parse(s);
            }
            if (t == LocalTime.class) {
                return LocalTime.parse(s);
            }
            if (t == java.sql.Date.class) {
                return java.sql.Date.valueOf(LocalDate.parse(s));
            }
            if (t == java.sql.Timestamp.class) {
                return java.sql.Timestamp.from(OffsetDateTime.parse(s).toInstant());
            }
            if (t == Date.class) {
                return Date.from(OffsetDateTime.parse(s).toInstant());
            }
            if (t == Long.class) {
                return Long.parseLong(s);
            }
            if (t == Integer.class) {
                return Integer.parseInt(s);
            }
        }
        if ((json instanceof Map && Map.class.isAssignableFrom(t)) || (json instanceof List && List.class.isAssignableFrom(t))) {
            return json;
        }
        throw new IllegalArgumentException("cannot store " + json.getClass().getSimpleName() + " value '" + json
                + "' in an attribute of type " + type.getName());
    }

    /** {@code n} as a long within [min, max]; an attribute narrower than the value refuses it instead of wrapping. */
    private static long inRange(Number n, long min, long max, String what) {
        long v = n.longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException(n + " does not fit " + what + " (" + min + " to " + max + ")");
        }
        return v;
    }

    static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == byte.class) {
            return Byte.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == float.class) {
            return Float.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == char.class) {
            return Character.class;
        }
        return type;
    }
}
