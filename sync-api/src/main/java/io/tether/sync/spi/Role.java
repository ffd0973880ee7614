package io.tether.sync.spi;

/** The role of the engine a plugin or store runs in. */
public enum Role {
    /** A node with a local store that pushes to and pulls from a hub. */
    REPLICA,
    /** The authoritative node. */
    HUB
}
