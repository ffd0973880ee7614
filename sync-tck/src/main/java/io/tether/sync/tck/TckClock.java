package io.tether.sync.tck;

import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.SyncClock;

/** A hybrid logical clock for stores under test: stamps in the protocol's form, strictly growing. Thread-safe. */
public final class TckClock implements SyncClock {
    private final String node;
    private long millis;
    private int counter;

    public TckClock(String node) {
        this.node = node;
    }

    @Override
    public synchronized String now() {
        long wall = System.currentTimeMillis();
        if (wall > millis) {
            millis = wall;
            counter = 0;
        } else if (++counter > 0xFFFF) {
            millis++;
            counter = 0;
        }
        return new HlcStamp(millis, counter, node).toString();
    }

    @Override
    public synchronized void observe(String stamp) {
        if (!HlcStamp.isValid(stamp)) {
            return;
        }
        HlcStamp s = HlcStamp.parse(stamp);
        if (s.millis() > millis || (s.millis() == millis && s.counter() > counter)) {
            millis = s.millis();
            counter = s.counter();
        }
    }

    @Override
    public String nodeId() {
        return node;
    }
}
