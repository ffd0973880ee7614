package io.tether.sync.spi;

/**
 * Request limits of the hub (PROTOCOL.md sections 3 and 4).
 *
 * @param maxPushChanges changes per push request; more is refused with 413 (default 1000)
 * @param maxPushBytes   bytes per push request body; more is refused with 413 (default 4 MiB)
 * @param defaultPullLimit page size when a pull names none (default 500)
 * @param maxPullLimit   largest page; larger limits are clamped (default 5000)
 * @param liveWindow     unacknowledged live messages per socket before the hub stops sending (default 32)
 */
public record HubLimits(int maxPushChanges, long maxPushBytes, int defaultPullLimit, int maxPullLimit,
                        int liveWindow) {
    public static final HubLimits DEFAULT = new HubLimits(1000, 4L * 1024 * 1024, 500, 5000, 32);

    public HubLimits {
        if (maxPushChanges < 1 || maxPushBytes < 1 || defaultPullLimit < 1 || maxPullLimit < defaultPullLimit
                || liveWindow < 1) {
            throw new IllegalArgumentException("hub limits must be positive and maxPullLimit >= defaultPullLimit");
        }
    }
}
