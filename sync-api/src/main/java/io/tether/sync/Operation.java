package io.tether.sync;

/** What a change does to a record. Serialized as {@code upsert} / {@code delete}. */
public enum Operation {
    UPSERT("upsert"), DELETE("delete");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the accepted values. */
    public static Operation fromWire(String value) {
        if ("upsert".equals(value)) {
            return UPSERT;
        }
        if ("delete".equals(value)) {
            return DELETE;
        }
        throw new IllegalArgumentException("op must be 'upsert' or 'delete', was '" + value + "'");
    }
}
