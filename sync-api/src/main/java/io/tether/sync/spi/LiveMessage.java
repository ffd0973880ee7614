package io.tether.sync.spi;

import java.util.List;
import java.util.Objects;

/** The WebSocket messages of PROTOCOL.md section 7; each serializes as a JSON object with a {@code type}. */
public sealed interface LiveMessage {
    /** The wire {@code type}. */
    String type();

    /** client → hub, first message: who it is and where to continue ({@code cursor} null for initial sync). */
    record Hello(String clientId, String token, String cursor, Integer schemaVersion) implements LiveMessage {
        public Hello {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(token, "token");
        }

        public String type() {
            return "hello";
        }
    }

    /** hub → client: authenticated; catch-up starts from {@code cursor}. */
    record Welcome(String cursor) implements LiveMessage {
        public String type() {
            return "welcome";
        }
    }

    /** hub → client: a catch-up page or live changes. */
    record Changes(List<DeliveredChange> changes, String cursor, boolean hasMore) implements LiveMessage {
        public Changes {
            changes = List.copyOf(changes);
            Objects.requireNonNull(cursor, "cursor");
        }

        public String type() {
            return "changes";
        }
    }

    /** client → hub: a push over the socket. */
    record Push(String requestId, List<Change> changes) implements LiveMessage {
        public Push {
            Objects.requireNonNull(requestId, "requestId");
            changes = List.copyOf(changes);
        }

        public String type() {
            return "push";
        }
    }

    /** hub → client: the answer to a {@link Push}. */
    record PushResult(String requestId, List<io.tether.sync.spi.PushResult> results, String cursor)
            implements LiveMessage {
        public PushResult {
            Objects.requireNonNull(requestId, "requestId");
            results = List.copyOf(results);
        }

        public String type() {
            return "pushResult";
        }
    }

    /** client → hub: applied up to {@code cursor} (flow control). */
    record Ack(String cursor) implements LiveMessage {
        public Ack {
            Objects.requireNonNull(cursor, "cursor");
        }

        public String type() {
            return "ack";
        }
    }

    /** hub → client: a problem; after 401 or 409 problems the socket closes with 4401 or 4409. */
    record Error(Problem problem) implements LiveMessage {
        public Error {
            Objects.requireNonNull(problem, "problem");
        }

        public String type() {
            return "error";
        }
    }

    /** hub → client: the cursor expired; run an initial sync. */
    record Resync() implements LiveMessage {
        public String type() {
            return "resync";
        }
    }
}
