package io.tether.sync.tck;

/** What a conflict resolver promises; the {@link ConflictResolverKit} checks each claim its features declare. */
public enum ResolverClaim {
    /** Always keeps the hub's state ({@code server-wins}). */
    KEEPS_HUB,
    /** Always takes the client's change ({@code client-wins}). */
    TAKES_CLIENT,
    /** Keeps the write with the later hybrid-clock stamp, whole ({@code last-writer-wins}). */
    LATER_HLC_WINS,
    /**
     * Keeps every field changed on one side only, takes fields changed on both sides from the later stamp, and
     * decides deletes by the later stamp ({@code field-merge}).
     */
    MERGES_FIELDS,
    /** Always defers to the application ({@code manual}). */
    DEFERS,
    /** The result does not depend on the order of the change's field list or of the data maps. */
    ORDER_INDEPENDENT
}
