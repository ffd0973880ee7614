package io.tether.sync.jpa;

/** Runs a seeded randomized test: the seed is {@code -Dtether.seed} or fresh, and every failure names it. */
final class Seeded {
    private Seeded() {
    }

    interface Run {
        void run(long seed) throws Exception;
    }

    static void run(Run test) {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        try {
            test.run(seed);
        } catch (Throwable t) {
            throw new AssertionError("seed=" + seed + " (rerun with -Dtether.seed=" + seed + "): " + t.getMessage(), t);
        }
    }
}
