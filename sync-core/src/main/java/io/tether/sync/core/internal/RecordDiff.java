package io.tether.sync.core.internal;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Which fields differ between two states of a record. */
public final class RecordDiff {
    private RecordDiff() {
    }

    /** Fields added, removed or changed from {@code before} to {@code after}; both may be null (all fields). */
    public static Set<String> changedFields(Map<String, Object> before, Map<String, Object> after) {
        Set<String> changed = new TreeSet<>();
        if (before == null || after == null) {
            if (before != null) {
                changed.addAll(before.keySet());
            }
            if (after != null) {
                changed.addAll(after.keySet());
            }
            return changed;
        }
        for (Map.Entry<String, Object> e : after.entrySet()) {
            if (!before.containsKey(e.getKey()) || !Objects.equals(before.get(e.getKey()), e.getValue())) {
                changed.add(e.getKey());
            }
        }
        for (String k : before.keySet()) {
            if (!after.containsKey(k)) {
                changed.add(k);
            }
        }
        return changed;
    }
}
