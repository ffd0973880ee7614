package io.tether.sync.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChangeIdTest {
    @Test
    void aChangeIdIsTheClientIdAndTheSequenceInTwelveDigits() {
        assertEquals("c:000000000001", Change.changeId("c", 1));
        assertEquals("c:000000000000", Change.changeId("c", 0));
        assertEquals("c:123456789012", Change.changeId("c", 123_456_789_012L));
        assertEquals("c:1234567890123", Change.changeId("c", 1_234_567_890_123L), "longer sequences keep every digit");
        assertEquals(String.format("x:%012d", 987_654L), Change.changeId("x", 987_654L));
    }

    @Test
    void aNegativeSequenceOrAMissingClientIdIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Change.changeId("c", -1));
        assertThrows(NullPointerException.class, () -> Change.changeId(null, 1));
    }
}
