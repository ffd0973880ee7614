package io.tether.sync.core;

import io.tether.sync.TransportException;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.SyncTransport;

import java.util.Random;

/**
 * Wraps a transport with seeded faults: requests lost before the hub saw them, answers lost after the hub applied
 * them, and requests delivered twice.
 */
final class FlakyTransport extends ForwardingTransport {
    private final Random random;
    private volatile double faultRate;
    int lostRequests;
    int lostAnswers;
    int duplicated;

    FlakyTransport(SyncTransport target, Random random, double faultRate) {
        super(target);
        this.random = random;
        this.faultRate = faultRate;
    }

    void faultRate(double rate) {
        this.faultRate = rate;
    }

    private synchronized int fault() {
        if (random.nextDouble() >= faultRate) {
            return 0;
        }
        return 1 + random.nextInt(3);
    }

    @Override
    public PushResponse push(PushRequest request) {
        switch (fault()) {
            case 1 -> {
                lostRequests++;
                throw new TransportException("request lost", true);
            }
            case 2 -> {
                target.push(request);
                lostAnswers++;
                throw new TransportException("answer lost", true);
            }
            case 3 -> {
                target.push(request);
                duplicated++;
                return target.push(request);
            }
            default -> {
                return target.push(request);
            }
        }
    }

    @Override
    public PullResponse pull(PullRequest request) {
        switch (fault()) {
            case 1 -> {
                lostRequests++;
                throw new TransportException("request lost", true);
            }
            case 2 -> {
                target.pull(request);
                lostAnswers++;
                throw new TransportException("answer lost", true);
            }
            default -> {
                return target.pull(request);
            }
        }
    }
}
