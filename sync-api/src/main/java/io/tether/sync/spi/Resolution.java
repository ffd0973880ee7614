package io.tether.sync.spi;

import io.tether.sync.Values;

import java.util.Map;
import java.util.Objects;

/** A conflict resolver's decision. */
public sealed interface Resolution {
    /** The hub keeps its state; the client is told {@code conflict}. */
    record KeepHub() implements Resolution {
    }

    /** The change is written as sent; the client is told {@code applied}. */
    record TakeClient() implements Resolution {
    }

    /** This merged state is written; the client is told {@code merged}. */
    record Merge(Map<String, Object> data) implements Resolution {
        public Merge {
            data = Values.copy(Objects.requireNonNull(data, "data"));
        }
    }

    /** Nothing is written; the client keeps the conflict for the application ({@code manual}). */
    record Defer() implements Resolution {
    }

    Resolution KEEP_HUB = new KeepHub();
    Resolution TAKE_CLIENT = new TakeClient();
    Resolution DEFER = new Defer();
}
