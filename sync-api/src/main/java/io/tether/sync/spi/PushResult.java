package io.tether.sync.spi;

import io.tether.sync.Values;

import java.util.Map;

/** The outcome of one pushed change (PROTOCOL.md section 3), one subtype per {@code status}. */
public sealed interface PushResult {
    String changeId();

    /** The wire status: {@code applied}, {@code duplicate}, {@code merged}, {@code conflict}, {@code rejected}. */
    String status();

    /** Written as sent; {@code version} is the record's new version. */
    record Applied(String changeId, long version) implements PushResult {
        public String status() {
            return "applied";
        }
    }

    /** Applied earlier (a retry); {@code version} is what it produced the first time. */
    record Duplicate(String changeId, long version) implements PushResult {
        public String status() {
            return "duplicate";
        }
    }

    /** A conflict the hub resolved by merging; {@code record} is the stored result at {@code version}. */
    record Merged(String changeId, long version, Map<String, Object> record) implements PushResult {
        public Merged {
            record = Values.copy(record);
        }

        public String status() {
            return "merged";
        }
    }

    /**
     * Not written: {@code record} and {@code version} are the hub's current state ({@code record} is null when the
     * hub deleted it); {@code resolution} names the policy that decided, {@code manual} meaning the application
     * decides.
     */
    record Conflict(String changeId, long version, Map<String, Object> record, String resolution)
            implements PushResult {
        public Conflict {
            record = Values.copy(record);
        }

        public String status() {
            return "conflict";
        }
    }

    /** Never valid as sent. */
    record Rejected(String changeId, RejectReason reason, String message) implements PushResult {
        public String status() {
            return "rejected";
        }
    }
}
