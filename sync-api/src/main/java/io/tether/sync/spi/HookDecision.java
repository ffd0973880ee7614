package io.tether.sync.spi;

import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;

/** What a {@link PersistenceHook} decides about a pending write. */
public sealed interface HookDecision {
    HookDecision PROCEED = new Proceed();

    static HookDecision proceed() {
        return PROCEED;
    }

    static HookDecision transform(Map<String, Object> data) {
        return new Transform(data);
    }

    static HookDecision veto(String reason) {
        return new Veto(reason);
    }

    /** Store the write as it is. */
    record Proceed() implements HookDecision {
    }

    /** Store this data instead (for an upsert). */
    record Transform(Map<String, Object> data) implements HookDecision {
        public Transform {
            data = Values.copy(Objects.requireNonNull(data, "data"));
        }
    }

    /** Refuse the write with a reason the client sees. */
    record Veto(String reason) implements HookDecision {
        public Veto {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
