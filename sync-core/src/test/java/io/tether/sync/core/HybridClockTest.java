package io.tether.sync.core;

import io.tether.sync.spi.HlcStamp;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HybridClockTest {
    private static final long T0 = 1_763_765_150_123L;

    /** A wall clock the test moves by hand. */
    static final class ManualClock extends Clock {
        final AtomicLong millis;

        ManualClock(long millis) {
            this.millis = new AtomicLong(millis);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void stampsHaveTheProtocolFormat() {
        HybridClock clock = new HybridClock("hub_1", new ManualClock(T0));
        assertEquals("1763765150123-0000-hub_1", clock.now());
        assertEquals("1763765150123-0001-hub_1", clock.now());
        assertEquals("hub_1", clock.nodeId());
    }

    @Test
    void wallClockAdvancingResetsTheCounter() {
        ManualClock wall = new ManualClock(T0);
        HybridClock clock = new HybridClock("n", wall);
        clock.now();
        clock.now();
        wall.millis.set(T0 + 5);
        assertEquals(HlcStamp.parse("1763765150128-0000-n"), HlcStamp.parse(clock.now()));
    }

    @Test
    void wallClockGoingBackwardsNeverMovesStampsBack() {
        ManualClock wall = new ManualClock(T0);
        HybridClock clock = new HybridClock("n", wall);
        String before = clock.now();
        wall.millis.set(T0 - 10_000);
        String after = clock.now();
        assertTrue(after.compareTo(before) > 0, before + " then " + after);
        assertEquals(T0, HlcStamp.parse(after).millis());
        assertEquals(1, HlcStamp.parse(after).counter());
    }

    @Test
    void counterOverflowAdvancesTheMillis() {
        HybridClock clock = new HybridClock("n", new ManualClock(T0));
        clock.observe(String.format("%013d-ffff-other", T0));
        String next = clock.now();
        assertEquals(new HlcStamp(T0 + 1, 0, "n").toString(), next);
        assertTrue(next.compareTo(String.format("%013d-ffff-other", T0)) > 0);
    }

    @Test
    void observedStampIsExceededByTheNextStamp() {
        HybridClock clock = new HybridClock("a", new ManualClock(T0));
        String remote = String.format("%013d-0007-zzz", T0 + 30_000);
        clock.observe(remote);
        String next = clock.now();
        assertTrue(next.compareTo(remote) > 0, next + " must follow " + remote);
        assertEquals(new HlcStamp(T0 + 30_000, 8, "a").toString(), next);
    }

    @Test
    void observeIgnoresStampsBeyondTheMaxDrift() {
        HybridClock clock = new HybridClock("a", new ManualClock(T0), Duration.ofSeconds(10));
        assertFalse(clock.accept(String.format("%013d-0000-x", T0 + 10_001)), "ignored, and said so");
        assertEquals(new HlcStamp(T0, 0, "a").toString(), clock.now());
        assertTrue(clock.accept(String.format("%013d-0000-x", T0 + 10_000)));
        assertEquals(new HlcStamp(T0 + 10_000, 1, "a").toString(), clock.now());
        assertFalse(clock.accept("garbage"));
    }

    @Test
    void observeIgnoresMalformedStamps() {
        HybridClock clock = new HybridClock("a", new ManualClock(T0));
        for (String bad : new String[] {null, "", "garbage", "9999999999999-FFFF-x", "1763765150123-1-x"}) {
            clock.observe(bad);
        }
        assertEquals(new HlcStamp(T0, 0, "a").toString(), clock.now());
    }

    @Test
    void observingAnOlderStampChangesNothing() {
        HybridClock clock = new HybridClock("a", new ManualClock(T0));
        clock.now();
        clock.observe(String.format("%013d-0000-x", T0 - 1000));
        assertEquals(new HlcStamp(T0, 1, "a").toString(), clock.now());
    }

    @Test
    void nodeIdIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new HybridClock("has space"));
        assertThrows(IllegalArgumentException.class, () -> new HybridClock(""));
        assertThrows(IllegalArgumentException.class, () -> new HybridClock("x".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> new HybridClock("a-b"));
        assertEquals("node_1.eu:2", new HybridClock("node_1.eu:2").nodeId());
    }

    @Test
    void stringOrderIsCausalOrder() {
        // a message chain a -> b -> a -> b, with b's wall clock well behind a's: every stamp follows its cause
        ManualClock wallA = new ManualClock(T0 + 5_000);
        ManualClock wallB = new ManualClock(T0);
        HybridClock a = new HybridClock("node_a", wallA);
        HybridClock b = new HybridClock("b", wallB);
        List<String> chain = new ArrayList<>();
        HybridClock[] turn = {a, b};
        String last = null;
        for (int i = 0; i < 20; i++) {
            HybridClock c = turn[i % 2];
            if (last != null) {
                c.observe(last);
            }
            last = c.now();
            chain.add(last);
            wallB.millis.addAndGet(1); // b's wall creeps, still behind a's
        }
        List<String> sorted = new ArrayList<>(chain);
        sorted.sort(null);
        assertEquals(chain, sorted);
        for (int i = 1; i < chain.size(); i++) {
            assertTrue(HlcStamp.parse(chain.get(i)).compareTo(HlcStamp.parse(chain.get(i - 1))) > 0);
        }
    }

    @Test
    void monotonicAndUniqueUnderConcurrentCallers() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ManualClock wall = new ManualClock(T0);
        HybridClock clock = new HybridClock("n", wall);
        int threads = 4;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        long[] seeds = random.longs(threads).toArray();
        try {
            for (int t = 0; t < threads; t++) {
                Random r = new Random(seeds[t]);
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        int dice = r.nextInt(100);
                        if (dice < 3) {
                            wall.millis.addAndGet(r.nextInt(5) - 2); // the wall clock jitters both ways
                        } else if (dice < 6) {
                            clock.observe(String.format("%013d-%04x-peer", wall.millis() + r.nextInt(50),
                                    r.nextInt(0x10000)));
                        }
                        mine.add(clock.now());
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<String> all = new HashSet<>();
            for (Future<List<String>> f : results) {
                List<String> mine = f.get(60, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i).compareTo(mine.get(i - 1)) > 0, "seed " + seed + ": "
                            + mine.get(i - 1) + " then " + mine.get(i));
                }
                all.addAll(mine);
            }
            assertEquals(threads * perThread, all.size(), "seed " + seed + ": duplicate stamps issued");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStampPrintsThirteenDigitsFourHexDigitsAndTheNodeAndParsesBack() {
        for (int counter : new int[] {0, 1, 0xa, 0xff, 0x1000, 0xffff}) {
            HlcStamp stamp = new HlcStamp(1_763_765_150_123L, counter, "node_1");
            String text = stamp.toString();
            assertEquals(String.format("%013d-%04x-%s", 1_763_765_150_123L, counter, "node_1"), text);
            assertEquals(stamp, HlcStamp.parse(text));
        }
    }

    @Test
    void stampValidationAgreesWithTheFormatOnSeededStrings() {
        java.util.regex.Pattern format = java.util.regex.Pattern.compile(
                "\\d{13}-[0-9a-f]{4}-[A-Za-z0-9_.:]{1,64}");
        String alphabet = "0123456789abcdefABZz-_.:/ é";
        java.util.Random random = new java.util.Random(20261122L);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder(String.format("%013d-%04x-", 1_763_765_150_123L, random.nextInt(0x10000)));
            int nodeLength = random.nextInt(70);
            for (int i = 0; i < nodeLength; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextInt(4) == 0) { // damage one character anywhere
                int at = random.nextInt(sb.length());
                sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String stamp = sb.toString();
            assertEquals(format.matcher(stamp).matches(), HlcStamp.isValid(stamp), stamp);
        }
        for (String edge : new String[] {"", "1763765150123-0001-", "1763765150123-0001-n", "1763765150123-00g1-n",
                "176376515012-0001-nn", "1763765150123-0001-" + "n".repeat(64), "1763765150123-0001-" + "n".repeat(65),
                "1763765150123-ABCD-n", "1763765150123_0001-n"}) {
            assertEquals(format.matcher(edge).matches(), HlcStamp.isValid(edge), edge);
        }
        assertEquals(false, HlcStamp.isValid(null));
    }
}
