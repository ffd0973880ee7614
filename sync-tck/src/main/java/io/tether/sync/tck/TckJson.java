package io.tether.sync.tck;

import io.tether.sync.Values;
import io.tether.sync.spi.StoreContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON text codec for record data, so that stores keeping data in a text column can run the kits without
 * an engine. Handles the JSON-shaped values of {@link Values}.
 */
final class TckJson implements StoreContext.JsonText {

    @Override
    public String write(Map<String, Object> data) {
        StringBuilder out = new StringBuilder();
        value(out, data);
        return out.toString();
    }

    @Override
    public Map<String, Object> read(String json) {
        Parser p = new Parser(json);
        Object v = p.value();
        p.skipWs();
        if (p.pos != json.length() || !(v instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object: " + json);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) v;
        return Values.copy(map);
    }

    private static void value(StringBuilder out, Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, (String) e.getKey());
                out.append(':');
                value(out, e.getValue());
            }
            out.append('}');
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(out, l.get(i));
            }
            out.append(']');
        } else {
            out.append(Values.canonical(v));
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Object value() {
            skipWs();
            char c = s.charAt(pos);
            switch (c) {
                case '{': {
                    pos++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skipWs();
                    if (s.charAt(pos) == '}') {
                        pos++;
                        return m;
                    }
                    while (true) {
                        skipWs();
                        String key = (String) value();
                        skipWs();
                        expect(':');
                        m.put(key, value());
                        skipWs();
                        if (s.charAt(pos) == ',') {
                            pos++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[': {
                    pos++;
                    List<Object> l = new ArrayList<>();
                    skipWs();
                    if (s.charAt(pos) == ']') {
                        pos++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        skipWs();
                        if (s.charAt(pos) == ',') {
                            pos++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private void expect(char c) {
            if (s.charAt(pos) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + pos + " in " + s);
            }
            pos++;
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw new IllegalArgumentException("bad literal at " + pos + " in " + s);
            }
            pos += word.length();
            return v;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> out.append(e);
                    }
                } else {
                    out.append(c);
                }
            }
        }

        private Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String n = s.substring(start, pos);
            if (n.isEmpty()) {
                throw new IllegalArgumentException("unexpected character at " + start + " in " + s);
            }
            return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n)
                    : (Object) Long.parseLong(n);
        }
    }
}
