package io.tether.sync.spi;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
    void fieldsStampedByTheLastWriteAreWrittenByNameOnly() {
        FieldStamp last = new FieldStamp(7, LATE);
        Map<String, FieldStamp> stamps = new LinkedHashMap<>();
        stamps.put("id", new FieldStamp(1, EARLY));
        stamps.put("title", last);
        stamps.put("done", new FieldStamp(7, EARLY)); // the same version with another clock stamp is not the last write
        stamps.put("note", new FieldStamp(4, null));

        String text = FieldStamp.encode(stamps, last);

        assertEquals("id=1@" + EARLY + "\ntitle\ndone=7@" + EARLY + "\nnote=4@\n", text);
        assertEquals(stamps, FieldStamp.decode(text, last));
        assertEquals(FieldStamp.encode(stamps), FieldStamp.encode(stamps, null));
        // the full form reads the same either way, so rows written before the short form still read
        assertEquals(stamps, FieldStamp.decode(FieldStamp.encode(stamps), last));
        // without the last write a bare name means nothing
        assertThrows(IllegalArgumentException.class, () -> FieldStamp.decode(text));
    }

    @Test
    void aCreateStoresLittleMoreThanItsFieldNames() {
        FieldStamp created = new FieldStamp(42, LATE);
        Map<String, FieldStamp> stamps = FieldStamp.advance(Map.of(), Set.of("id", "title"), 42, LATE);
        String text = FieldStamp.encode(stamps, created);
        assertEquals(2, text.lines().count());
        assertTrue(text.lines().allMatch(line -> line.equals("id") || line.equals("title")), text);
        assertEquals(stamps, FieldStamp.decode(text, created));
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
        FieldStamp last = new FieldStamp(1, EARLY);
        assertThrows(IllegalArgumentException.class, () -> FieldStamp.decode("id\n\ntitle", last));
        assertThrows(IllegalArgumentException.class, () -> FieldStamp.decode("id=1", last));
    }
}
