package io.tether.sync.jpa;

/** {@link CaptureJournalKit} on H2 (MVStore, read committed, row locks). */
class H2CaptureJournalTest extends CaptureJournalKit {
    @Override
    String url() {
        return Databases.h2Memory();
    }
}
