package io.tether.sync.jpa;

/** {@link RefusedPushKit} on H2 in memory. */
class H2RefusedPushTest extends RefusedPushKit {
    @Override
    String url() {
        return Databases.h2Memory();
    }
}
