package io.tether.sync.spi;

import io.tether.sync.Operation;
import io.tether.sync.Values;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A change a replica pushes (PROTOCOL.md section 2).
 *
 * @param changeId    unique for this client forever: {@code clientId:} + zero-padded local sequence
 * @param collection  collection name
 * @param id          record id
 * @param op          upsert or delete
 * @param data        the full record for an upsert; {@code null} for a delete
 * @param fields      the fields modified since {@code baseVersion}; {@code null} means all fields
 * @param baseVersion the hub version the edit was based on; {@code null} or 0 for a record the replica created
 * @param hlc         hybrid logical clock stamp of the local write, or {@code null}
 */
public record Change(String changeId, String collection, String id, Operation op, Map<String, Object> data,
                     List<String> fields, Long baseVersion, String hlc) {
    public Change {
        data = Values.copy(data);
        fields = fields == null ? null : List.copyOf(fields);
    }

    /** The base version, 0 when absent. */
    public long base() {
        return baseVersion == null ? 0 : baseVersion;
    }

    /** Formats a change id: {@code clientId + ":" + sequence zero-padded to 12 digits}. */
    public static String changeId(String clientId, long sequence) {
        Objects.requireNonNull(clientId, "clientId");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative, was " + sequence);
        }
        String digits = Long.toString(sequence);
        StringBuilder id = new StringBuilder(clientId.length() + 1 + Math.max(12, digits.length())).append(clientId)
                .append(':');
        for (int i = digits.length(); i < 12; i++) {
            id.append('0');
        }
        return id.append(digits).toString();
    }
}
