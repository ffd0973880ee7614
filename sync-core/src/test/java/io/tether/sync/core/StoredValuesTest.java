package io.tether.sync.core;

import io.tether.sync.Values;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Values#ofJson}: record data kept as its stored text until a field is read. */
class StoredValuesTest {
    private static final String TEXT = "{\"id\":\"t1\",\"done\":false}";

    @Test
    void theTextIsParsedOnceAndOnlyWhenAFieldIsRead() {
        AtomicInteger parses = new AtomicInteger();
        Map<String, Object> data = Values.ofJson(TEXT, text -> {
            parses.incrementAndGet();
            return Values.copy(Map.of("id", "t1", "done", false));
        });
        assertSame(data, Values.copy(data), "already canonical: copying it costs nothing and parses nothing");
        assertEquals(TEXT, Values.jsonText(data));
        assertEquals(0, parses.get());
        assertEquals("t1", data.get("id"));
        assertEquals(2, data.size());
        assertEquals(1, parses.get());
        assertThrows(UnsupportedOperationException.class, () -> data.put("id", "t2"));
    }

    @Test
    void equalityIsTheData() {
        Map<String, Object> stored = Values.ofJson(TEXT, text -> Values.copy(Map.of("id", "t1", "done", false)));
        Map<String, Object> plain = new LinkedHashMap<>(Map.of("done", false, "id", "t1"));
        assertEquals(plain, stored);
        assertEquals(stored, plain);
        assertEquals(plain.hashCode(), stored.hashCode());
        assertNotEquals(Values.ofJson("{\"id\":\"t2\"}", text -> Values.copy(Map.of("id", "t2"))), stored);
        assertNull(Values.jsonText(plain));
    }

    @Test
    void aParserFailureSurfacesWhenTheDataIsRead() {
        Map<String, Object> data = Values.ofJson("[1]", text -> {
            throw new IllegalArgumentException("stored record data must be a JSON object");
        });
        assertThrows(IllegalArgumentException.class, data::size);
        assertThrows(NullPointerException.class, () -> Values.ofJson(null, text -> Map.of()));
    }
}
