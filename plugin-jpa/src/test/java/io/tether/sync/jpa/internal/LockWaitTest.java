package io.tether.sync.jpa.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LockWaitTest {

    @Test
    void readsMillisecondsFromNumbersAndText() {
        assertEquals(LockWait.DEFAULT_MS, LockWait.millis(null), "absent: the default");
        assertEquals(300, LockWait.millis(300));
        assertEquals(250, LockWait.millis(" 250 "));
        assertEquals(0, LockWait.millis(0L));
        assertEquals(-1, LockWait.millis("-1"));
    }

    @Test
    void refusesWhatIsNotAWait() {
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> LockWait.millis("5s"));
        assertEquals("jakarta.persistence.lock.timeout must be a number of milliseconds, was '5s'", text.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> LockWait.millis(-2));
        assertEquals("jakarta.persistence.lock.timeout must be 0 or more milliseconds, or -1 to wait without limit, "
                + "was -2", negative.getMessage());
    }

    @Test
    void mapsTheJakartaMeaningsOntoPostgresql() {
        assertEquals("set local lock_timeout = '300ms'", LockWait.postgres(300));
        assertEquals("set local lock_timeout = '1ms'", LockWait.postgres(0), "0: do not wait");
        assertEquals("set local lock_timeout = '0ms'", LockWait.postgres(-1), "-1: no limit, PostgreSQL's 0");
    }
}
