package io.tether.sync.tck;

/**
 * Optional capabilities of a transport under the {@link TransportKit}.
 *
 * @param live the transport supports {@link io.tether.sync.spi.SyncTransport#subscribe} (live delivery)
 */
public record TransportFeatures(boolean live) {

    /** No optional capability. */
    public static TransportFeatures defaults() {
        return new TransportFeatures(false);
    }

    /** Declares live delivery. */
    public TransportFeatures withLive() {
        return new TransportFeatures(true);
    }
}
