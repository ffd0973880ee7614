package io.tether.samples;

import java.util.Random;

/** Runs a seeded randomized test: the seed is {@code -Dtether.seed} or fresh, and every failure names it. */
final class Seeded {
    private Seeded() {
    }

    interface Run {
        void run(Random random) throws Exception;
    }

    static void run(Run test) {
        long seed = Long.getLong("tether.seed", new Random().nextLong());
        try {
            test.run(new Random(seed));
        } catch (Throwable t) {
            throw new AssertionError("failed with -Dtether.seed=" + seed + ": " + t.getMessage(), t);
        }
    }
}
