package io.tether.sync.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeds of randomized rules. {@code -Dtether.tck.seed=<n>} repeats one run; {@code -Dtether.tck.seeds=<k>} sets
 * how many seeds a randomized rule tries (default given by the rule). Failures say which seed to pass back.
 */
public final class Seeds {
    private static final Random FRESH = new Random();

    private Seeds() {
    }

    /** The seed to use for a single-seed rule. */
    public static long one() {
        Long fixed = Long.getLong("tether.tck.seed");
        return fixed != null ? fixed : FRESH.nextLong();
    }

    /** The seeds a multi-seed rule runs: the fixed seed only, or {@code -Dtether.tck.seeds} (default given). */
    public static List<Long> many(int defaultCount) {
        Long fixed = Long.getLong("tether.tck.seed");
        if (fixed != null) {
            return List.of(fixed);
        }
        int count = Integer.getInteger("tether.tck.seeds", defaultCount);
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(FRESH.nextLong());
        }
        return seeds;
    }

    /** The text every randomized failure carries. */
    public static String rerun(long seed) {
        return "seed=" + seed + " (rerun with -Dtether.tck.seed=" + seed + ")";
    }
}
