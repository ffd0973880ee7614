package io.tether.sync.jpa.internal;

import io.tether.sync.spi.Change;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which change ids the hub may remember by their sequence alone: exactly those {@link Change#changeId} makes. */
class DedupSequenceTest {
    private static final String CLIENT = "6f1c2a9e-7d3b-4c1a-9a53-2b7c1e0f4d11";

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 41, 999_999_999_999L, 1_000_000_000_000L, 1_765_000_000_000_000L,
            999_999_999_999_999_999L})
    void theFormChangeIdMakesGivesItsSequenceBack(long sequence) {
        assertEquals(sequence, HubTables.sequenceOf(CLIENT, Change.changeId(CLIENT, sequence)));
    }

    @ParameterizedTest
    @ValueSource(strings = {":1", ":00000000001", ":0000000000001", ":00000000000a", ":-00000000001", ":+00000000001",
            "-000000000001", ":000000000001 ", ":1000000000000000000", ""})
    void otherFormsHaveNone(String suffix) {
        assertEquals(-1, HubTables.sequenceOf(CLIENT, CLIENT + suffix));
    }

    @Test
    void anotherClientsPrefixHasNone() {
        assertEquals(-1, HubTables.sequenceOf(CLIENT, Change.changeId("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", 7)));
        assertEquals(-1, HubTables.sequenceOf(CLIENT, "x" + Change.changeId(CLIENT, 7).substring(1)));
    }
}
