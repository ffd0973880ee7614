package io.tether.sync.tck;

/**
 * Optional capabilities of a store under a store kit. Rules that need a capability the store does not declare
 * are skipped with a message naming the override.
 *
 * <pre>{@code
 * @Override protected StoreFeatures features() { return StoreFeatures.defaults().withRestart(); }
 * }</pre>
 *
 * @param restart the store keeps its data across a close and {@code reopen} (a file or a database); the kit's
 *                {@code reopen} factory must be overridden
 */
public record StoreFeatures(boolean restart) {

    /** No optional capability. */
    public static StoreFeatures defaults() {
        return new StoreFeatures(false);
    }

    /** Declares that the store survives a restart. */
    public StoreFeatures withRestart() {
        return new StoreFeatures(true);
    }
}
