package io.tether.sync.spi;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldStampTest {
    private static final String EARLY = "1765000000000-0000-node";
    private static final String LATE = "1765000000999-0001-node";

    @Test
    void stampsRoundTripThroughTheTextForm() {
        Map<String, FieldStamp> stamps = new LinkedHashMap<>();
        stamps.put("id", new FieldStamp(1, EARLY));
        stamps.put("title", new FieldStamp(7, LATE));
        stamps.put("done", new FieldStamp(1, EARLY));
        stamps.put("note", new FieldStamp(4, null));

        String text = FieldStamp.encode(stamps);

        assertEquals("id=1@" + EARLY + "\ntitle=7@" + LATE + "\ndone=1@" + EARLY + "\nnote=4@\n", text);
        assertEquals(stamps, FieldStamp.decode(text));
    }

    @Test
    void nothingStoredIsNoStamps() {
        assertTrue(FieldStamp.decode(null).isEmpty());
        assertTrue(FieldStamp.decode("").isEmpty());
        assertEquals("", FieldStamp.encode(Map.of()));
    }

    @Test
    void malformedTextIsRefusedWithTheLine() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> FieldStamp.decode("id=1@" + EARLY + "\ntitle"));
        assertEquals("malformed field stamp 'title'", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FieldStamp.decode("=1@" + EARLY));
        assertThrows(IllegalArgumentException.class, () -> FieldStamp.decode("id=1"));
        assertThrows(IllegalArgumentException.class, () -> FieldStamp.decode("id=1@" + EARLY + "\n\ntitle"));
        assertThrows(NumberFormatException.class, () -> FieldStamp.decode("id=one@" + EARLY));
    }
}
