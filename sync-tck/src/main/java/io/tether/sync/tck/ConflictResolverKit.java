package io.tether.sync.tck;

import io.tether.sync.Operation;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.Resolution;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link ConflictResolver} contract, checked on seeded random conflicts over {@link TckSchema#TASKS}:
 *
 * <pre>{@code
 * class DoneWinsResolverTest extends ConflictResolverKit {
 *     @Override protected ConflictResolver createResolver() { return new DoneWins(); }
 *     @Override protected ResolverFeatures features() { return ResolverFeatures.claims(ResolverClaim.ORDER_INDEPENDENT); }
 * }
 * }</pre>
 *
 * Rules are named {@code [resolver-N]}; failures print the seed.
 */
public abstract class ConflictResolverKit {
    private static final int CASES = 300;
    private static final List<String> FIELDS = List.of("title", "done", "n");

    protected ConflictResolver resolver;

    /** The resolver under test. */
    protected abstract ConflictResolver createResolver();

    /** What the resolver claims. Default: determinism only. */
    protected ResolverFeatures features() {
        return ResolverFeatures.defaults();
    }

    @BeforeEach
    void createIt() {
        resolver = createResolver();
    }

    /** Runs {@code check} on {@link #CASES} seeded random conflicts; a failure names the seed. */
    private void forRandomConflicts(BiConsumer<ConflictInput, String> check) {
        long seed = Seeds.one();
        Random random = new Random(seed);
        for (int i = 0; i < CASES; i++) {
            ConflictInput input = randomConflict(random);
            check.accept(input, "case " + i + " " + Seeds.rerun(seed) + "; input " + input);
        }
    }

    /** A random conflict: a hub record (maybe deleted) at a version above the change's base. */
    static ConflictInput randomConflict(Random random) {
        long version = 2 + random.nextInt(30);
        long hubMillis = 1_763_000_000_000L + random.nextInt(1_000_000);
        String hubHlc = new HlcStamp(hubMillis, random.nextInt(4), "hub").toString();
        boolean hubDeleted = random.nextInt(6) == 0;
        Map<String, FieldStamp> stamps = new HashMap<>();
        for (String f : FIELDS) {
            if (random.nextInt(4) > 0) {
                long v = 1 + random.nextInt((int) version);
                stamps.put(f, new FieldStamp(v, new HlcStamp(hubMillis - (version - v) * 10, 0, "hub").toString()));
            }
        }
        HubRecord current = new HubRecord("tasks", "t1", hubDeleted ? null : randomTask(random, "hub"), version,
                "alice", hubHlc, stamps);
        boolean delete = random.nextInt(5) == 0;
        long base = random.nextInt((int) version);
        String clientHlc = new HlcStamp(hubMillis + random.nextInt(2001) - 1000, random.nextInt(4), "client")
                .toString();
        List<String> fields = null;
        if (!delete && random.nextBoolean()) {
            fields = new ArrayList<>();
            for (String f : FIELDS) {
                if (random.nextBoolean()) {
                    fields.add(f);
                }
            }
            if (fields.isEmpty()) {
                fields.add(FIELDS.get(random.nextInt(FIELDS.size())));
            }
        }
        Change change = new Change("client:000000000001", "tasks", "t1", delete ? Operation.DELETE : Operation.UPSERT,
                delete ? null : randomTask(random, "client"), fields, base, clientHlc);
        return new ConflictInput(TckSchema.TASKS, change, current);
    }

    private static Map<String, Object> randomTask(Random random, String side) {
        return TckSchema.task("t1", "alice", side + "-" + random.nextInt(5), random.nextBoolean(),
                random.nextBoolean() ? null : (long) random.nextInt(5));
    }

    /** The same conflict with its field list and data maps in another order. */
    static ConflictInput reordered(ConflictInput in, Random random) {
        Change c = in.change();
        List<String> fields = c.fields() == null ? null : new ArrayList<>(c.fields());
        if (fields != null) {
            Collections.shuffle(fields, random);
        }
        Change change = new Change(c.changeId(), c.collection(), c.id(), c.op(), shuffled(c.data(), random), fields,
                c.baseVersion(), c.hlc());
        HubRecord h = in.current();
        HubRecord current = new HubRecord(h.collection(), h.id(), shuffled(h.data(), random), h.version(), h.scope(),
                h.hlc(), h.stamps());
        return new ConflictInput(in.collection(), change, current);
    }

    private static Map<String, Object> shuffled(Map<String, Object> data, Random random) {
        if (data == null) {
            return null;
        }
        List<String> keys = new ArrayList<>(data.keySet());
        Collections.shuffle(keys, random);
        Map<String, Object> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(k, data.get(k)));
        return out;
    }

    /** The record that results from a resolution: null when deleted. */
    private static Map<String, Object> outcome(ConflictInput in, Resolution r) {
        if (r instanceof Resolution.Merge m) {
            return m.data();
        }
        if (r instanceof Resolution.TakeClient) {
            return in.change().data();
        }
        return in.current().data();
    }

    private static boolean clientLater(ConflictInput in, String hubHlc) {
        return hubHlc == null || in.change().hlc().compareTo(hubHlc) > 0;
    }

    // ---- rules

    @Nested
    @DisplayName("every resolver")
    class EveryResolver {

        @Test
        @DisplayName("[resolver-1] deterministic: the same conflict always gets the same resolution")
        void deterministic() {
            forRandomConflicts((in, where) -> {
                Resolution first = resolver.resolve(in);
                assertNotNull(first, "a resolver must decide: " + where);
                for (int i = 0; i < 3; i++) {
                    assertEquals(first, resolver.resolve(in), "the same conflict got another resolution: " + where);
                }
            });
        }

        @Test
        @DisplayName("[resolver-2] a merge keeps the record's id and scope")
        void mergeKeepsIdentity() {
            forRandomConflicts((in, where) -> {
                if (resolver.resolve(in) instanceof Resolution.Merge m) {
                    CollectionSchema schema = in.collection();
                    assertEquals(in.change().id(), m.data().get(schema.idField()), "a merge changed the id: " + where);
                    if (in.current().data() != null) {
                        assertEquals(in.current().data().get(schema.scopeField()), m.data().get(schema.scopeField()),
                                "a merge moved the record to another scope: " + where);
                    }
                }
            });
        }

        @Test
        @DisplayName("[resolver-3] name() is a well-formed resolution name")
        void nameWellFormed() {
            assertTrue(resolver.name() != null && resolver.name().matches("[a-z][a-z0-9-]*"),
                    "name() is reported on the wire as resolution and must match [a-z][a-z0-9-]*: " + resolver.name());
        }
    }

    @Nested
    @DisplayName("claims")
    class Claims {

        @Test
        @DisplayName("[resolver-4] order-independent: field and data order do not change the resolution")
        void orderIndependent() {
            assumeTrue(features().has(ResolverClaim.ORDER_INDEPENDENT),
                    "ORDER_INDEPENDENT not claimed: override features() to enable");
            Random shuffle = new Random(7);
            forRandomConflicts((in, where) -> {
                Resolution original = resolver.resolve(in);
                for (int i = 0; i < 3; i++) {
                    assertEquals(original, resolver.resolve(reordered(in, shuffle)),
                            "reordering fields or data changed the resolution: " + where);
                }
            });
        }

        @Test
        @DisplayName("[resolver-5] server-wins: the hub's state is always kept")
        void keepsHub() {
            assumeTrue(features().has(ResolverClaim.KEEPS_HUB), "KEEPS_HUB not claimed: override features() to enable");
            forRandomConflicts((in, where) -> assertInstanceOf(Resolution.KeepHub.class, resolver.resolve(in), where));
        }

        @Test
        @DisplayName("[resolver-6] client-wins: the client's change is always taken")
        void takesClient() {
            assumeTrue(features().has(ResolverClaim.TAKES_CLIENT),
                    "TAKES_CLIENT not claimed: override features() to enable");
            forRandomConflicts((in, where) -> assertInstanceOf(Resolution.TakeClient.class, resolver.resolve(in), where));
        }

        @Test
        @DisplayName("[resolver-7] last-writer-wins: the write with the later stamp is kept whole")
        void laterWins() {
            assumeTrue(features().has(ResolverClaim.LATER_HLC_WINS),
                    "LATER_HLC_WINS not claimed: override features() to enable");
            forRandomConflicts((in, where) -> {
                Map<String, Object> expected = clientLater(in, in.current().hlc()) ? in.change().data()
                        : in.current().data();
                assertEquals(expected, outcome(in, resolver.resolve(in)), "the later write was lost: " + where);
            });
        }

        @Test
        @DisplayName("[resolver-8] field-merge: a field changed on one side is kept; both sides go by the later stamp")
        void mergesFields() {
            assumeTrue(features().has(ResolverClaim.MERGES_FIELDS),
                    "MERGES_FIELDS not claimed: override features() to enable");
            forRandomConflicts((in, where) -> {
                Resolution r = resolver.resolve(in);
                Map<String, Object> result = outcome(in, r);
                Change c = in.change();
                HubRecord hub = in.current();
                if (c.op() == Operation.DELETE || hub.deleted()) {
                    Map<String, Object> expected = clientLater(in, hub.hlc()) ? c.data() : hub.data();
                    assertEquals(expected, result, "a delete must go by the later stamp: " + where);
                    return;
                }
                for (String f : FIELDS) {
                    boolean clientChanged = c.fields() == null ? c.data().containsKey(f) : c.fields().contains(f);
                    FieldStamp stamp = hub.stamps().get(f);
                    boolean hubChanged = stamp != null && stamp.version() > c.base();
                    Object expected;
                    if (clientChanged && hubChanged) {
                        expected = clientLater(in, stamp.hlc()) ? c.data().get(f) : hub.data().get(f);
                    } else if (clientChanged) {
                        expected = c.data().get(f);
                    } else {
                        expected = hub.data().get(f);
                    }
                    assertEquals(expected, result == null ? null : result.get(f),
                            "field '" + f + "' lost a write the policy keeps (resolution " + r + "): " + where);
                }
            });
        }

        @Test
        @DisplayName("[resolver-9] manual: every conflict is deferred to the application")
        void defers() {
            assumeTrue(features().has(ResolverClaim.DEFERS), "DEFERS not claimed: override features() to enable");
            forRandomConflicts((in, where) -> assertInstanceOf(Resolution.Defer.class, resolver.resolve(in), where));
        }
    }
}
