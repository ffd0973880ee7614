package io.tether.sync.jpa.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentRunsTest {
    private static List<List<Long>> pieces(List<long[]> runs) {
        return runs.stream().map(r -> List.of(r[0], r[1])).toList();
    }

    @Test
    void consecutiveSequencesGroupIntoRuns() {
        assertEquals(List.of(List.of(3L, 5L), List.of(7L, 7L), List.of(9L, 10L)),
                pieces(SentRuns.group(List.of(3L, 4L, 5L, 7L, 9L, 10L))));
        assertEquals(List.of(), pieces(SentRuns.group(List.of())));
    }

    @Test
    void aSequenceIsInARunFromItsFirstToItsLast() {
        SentRuns runs = new SentRuns(Map.of(3L, 5L, 9L, 9L));
        assertFalse(runs.contains(2));
        assertTrue(runs.contains(3));
        assertTrue(runs.contains(5));
        assertFalse(runs.contains(6));
        assertTrue(runs.contains(9));
        assertFalse(runs.contains(10));
    }

    @Test
    void takingSequencesOutSplitsOnlyTheRunsThatHoldThem() {
        SentRuns runs = new SentRuns(Map.of(1L, 10L, 20L, 20L, 30L, 31L));
        Map<Long, List<long[]>> changed = runs.without(List.of(1L, 5L, 20L, 25L));
        assertEquals(List.of(1L, 20L), List.copyOf(changed.keySet()));
        assertEquals(List.of(List.of(2L, 4L), List.of(6L, 10L)), pieces(changed.get(1L)));
        assertEquals(List.of(), pieces(changed.get(20L)));
    }
}
