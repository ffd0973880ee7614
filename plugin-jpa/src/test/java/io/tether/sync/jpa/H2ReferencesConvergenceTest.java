package io.tether.sync.jpa;

/** {@link ReferencesConvergenceKit} with the hub on H2 in memory. */
class H2ReferencesConvergenceTest extends ReferencesConvergenceKit {
    @Override
    String hubUrl() {
        return Databases.h2Memory();
    }
}
