package io.tether.sync.jpa.internal;

/** A record's identity across collections. */
public record RecordKey(String collection, String id) {
}
