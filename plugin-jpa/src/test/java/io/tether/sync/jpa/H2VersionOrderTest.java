package io.tether.sync.jpa;

/** {@link VersionOrderKit} on H2 (MVStore, read committed, row locks). */
class H2VersionOrderTest extends VersionOrderKit {
    @Override
    String url() {
        return Databases.h2Memory();
    }
}
