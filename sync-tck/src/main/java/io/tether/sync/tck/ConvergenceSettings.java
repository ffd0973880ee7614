package io.tether.sync.tck;

/**
 * The shape of a {@link ConvergenceKit} run.
 *
 * @param replicas        replicas (at least 3): all but the last belong to {@code alice}, the last to {@code bob}
 * @param steps           random steps per seed
 * @param faultRate       probability that a request meets a fault
 * @param defaultSeeds    seeds per run unless {@code -Dtether.tck.seeds} or {@code -Dtether.tck.seed} says otherwise
 * @param replicaRestarts whether replicas crash and restart over their store
 * @param hubRestarts     whether the hub restarts over its store
 */
public record ConvergenceSettings(int replicas, int steps, double faultRate, int defaultSeeds,
                                  boolean replicaRestarts, boolean hubRestarts) {
    public ConvergenceSettings {
        if (replicas < 3) {
            throw new IllegalArgumentException("the convergence kit needs at least 3 replicas");
        }
    }

    /** 4 replicas, 300 steps, 20% faults, 3 seeds, restarts on. */
    public static ConvergenceSettings defaults() {
        return new ConvergenceSettings(4, 300, 0.2, 3, true, true);
    }

    public ConvergenceSettings withSteps(int n) {
        return new ConvergenceSettings(replicas, n, faultRate, defaultSeeds, replicaRestarts, hubRestarts);
    }

    public ConvergenceSettings withoutRestarts() {
        return new ConvergenceSettings(replicas, steps, faultRate, defaultSeeds, false, false);
    }
}
