package io.tether.sync.spi;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * When a field of a hub record was last written: the version of that write and its clock stamp. Field-level
 * merge uses it to tell which fields the hub changed since a replica's base version, and who wrote last.
 */
public record FieldStamp(long version, String hlc) {

    /**
     * The stamps after a write: every field in {@code changed} gets ({@code version}, {@code hlc}), the others
     * keep theirs.
     */
    public static Map<String, FieldStamp> advance(Map<String, FieldStamp> stamps, Set<String> changed, long version,
                                                  String hlc) {
        Map<String, FieldStamp> next = new HashMap<>(stamps == null ? Map.of() : stamps);
        FieldStamp stamp = new FieldStamp(version, hlc);
        for (String field : changed) {
            next.put(field, stamp);
        }
        return Map.copyOf(next);
    }

    /**
     * A compact text form for stores that keep stamps in one column: {@code field=version@hlc} entries joined by
     * newlines. Field names never contain '=' or newlines (they match the schema's names).
     */
    public static String encode(Map<String, FieldStamp> stamps) {
        return encode(stamps, null);
    }

    /**
     * {@link #encode(Map)}'s form, shorter for stores that keep the record's last write stamp beside it: a field
     * stamped {@code last} is written as its bare name. After a create every field is, so the text is little more
     * than the field names. Read it back with {@link #decode(String, FieldStamp)} and the same {@code last}.
     */
    public static String encode(Map<String, FieldStamp> stamps, FieldStamp last) {
        StringBuilder out = new StringBuilder();
        stamps.forEach((field, s) -> {
            out.append(field);
            if (!s.equals(last)) {
                out.append('=').append(s.version).append('@').append(s.hlc == null ? "" : s.hlc);
            }
            out.append('\n');
        });
        return out.toString();
    }

    /** Parses {@link #encode(Map)}'s form. */
    public static Map<String, FieldStamp> decode(String text) {
        return decode(text, null);
    }

    /** Parses {@link #encode(Map, FieldStamp)}'s form: a bare field name is stamped {@code last}. */
    public static Map<String, FieldStamp> decode(String text, FieldStamp last) {
        Map<String, FieldStamp> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0 && last != null && !line.isEmpty()) {
                out.put(line, last);
                continue;
            }
            int at = line.indexOf('@', eq);
            if (eq < 1 || at < 0) {
                throw new IllegalArgumentException("malformed field stamp '" + line + "'");
            }
            String hlc = line.substring(at + 1);
            out.put(line.substring(0, eq), new FieldStamp(Long.parseLong(line.substring(eq + 1, at)),
                    hlc.isEmpty() ? null : hlc));
        }
        return out;
    }
}
