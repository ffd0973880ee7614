package io.tether.sync.core.internal;

/** A record's identity across collections. */
public record RecordKey(String collection, String id) implements Comparable<RecordKey> {
    @Override
    public int compareTo(RecordKey o) {
        int c = collection.compareTo(o.collection);
        return c != 0 ? c : id.compareTo(o.id);
    }
}
