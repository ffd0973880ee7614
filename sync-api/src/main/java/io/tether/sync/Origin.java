package io.tether.sync;

/** Where a committed change came from: written on this node, or applied from the other side of a sync. */
public enum Origin {
    /** Written by the application on this node (or pushed to this hub by a replica). */
    LOCAL,
    /** Applied from a pull or live delivery; plugins that forward changes ignore these to avoid echoes. */
    REMOTE
}
