package io.tether.sync;

import java.util.Map;

/**
 * A local change the hub refused (PROTOCOL.md: {@code rejected}). It stays out of the retry loop until the
 * application retries or dismisses it.
 *
 * @param collection collection name
 * @param id         record id
 * @param changeId   the refused change
 * @param op         what the change did
 * @param data       the data that was sent, or {@code null} for a delete
 * @param reason     {@code validation}, {@code unknown_collection}, {@code forbidden} or {@code too_large}
 * @param message    the hub's explanation
 */
public record RejectedChange(String collection, String id, String changeId, Operation op,
                             Map<String, Object> data, String reason, String message) {
    public RejectedChange {
        data = Values.copy(data);
    }
}
