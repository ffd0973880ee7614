package io.tether.sync.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** A record's identity across collections. */
public record RecordKey(String collection, String id) implements Comparable<RecordKey> {
    /**
     * The ids of {@code items}' records, grouped by collection in name order (what stores prefetch): a hub store
     * that locks what it prefetches then takes every push's locks collection by collection in one order.
     */
    static <T> Map<String, List<String>> idsByCollection(Collection<T> items, Function<T, String> collection,
                                                         Function<T, String> id) {
        Map<String, List<String>> ids = new TreeMap<>();
        for (T item : items) {
            ids.computeIfAbsent(collection.apply(item), k -> new ArrayList<>()).add(id.apply(item));
        }
        return ids;
    }

    @Override
    public int compareTo(RecordKey o) {
        int c = collection.compareTo(o.collection);
        return c != 0 ? c : id.compareTo(o.id);
    }
}
