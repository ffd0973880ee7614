package io.tether.sync.core.internal.conflict;

import io.tether.sync.ConflictPolicy;
import io.tether.sync.Operation;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.FieldStamp;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.Resolution;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class ConflictResolversTest {
    static final String EARLY = "1763765150000-0000-a";
    static final String MID = "1763765150500-0000-a";
    static final String LATE = "1763765159999-0000-a";

    static final CollectionSchema TASKS = tasks();

    /**
     * The tasks schema. sync-api's CollectionSchema constructor currently throws NullPointerException for every
     * input (it calls field() before this.fields is assigned); until that is fixed, a mock with the same id and
     * scope fields stands in, which is all the resolvers read.
     */
    static CollectionSchema tasks() {
        try {
            return CollectionSchema.builder("tasks").scopeField("owner_id")
                    .field("title", FieldType.STRING, false)
                    .field("done", FieldType.BOOLEAN, false)
                    .field("note", FieldType.STRING, true)
                    .field("rank", FieldType.INTEGER, true)
                    .build();
        } catch (NullPointerException apiBug) {
            CollectionSchema schema = mock(CollectionSchema.class);
            when(schema.name()).thenReturn("tasks");
            when(schema.idField()).thenReturn("id");
            when(schema.scopeField()).thenReturn("owner_id");
            return schema;
        }
    }

    static Map<String, Object> data(Object... keyValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    static Change upsert(Map<String, Object> data, List<String> fields, long base, String hlc) {
        return new Change("c:000000000001", "tasks", "t-1", Operation.UPSERT, data, fields, base, hlc);
    }

    static Change delete(long base, String hlc) {
        return new Change("c:000000000001", "tasks", "t-1", Operation.DELETE, null, null, base, hlc);
    }

    static HubRecord hub(Map<String, Object> data, long version, String hlc, Map<String, FieldStamp> stamps) {
        return new HubRecord("tasks", "t-1", data, version, "alice", hlc, stamps);
    }

    /** The hub record at version 20: title and done written at 10 (EARLY), note written at 20 (MID). */
    static HubRecord hubRecord() {
        return hub(data("id", "t-1", "owner_id", "alice", "title", "hub title", "done", false, "note", "hub note"),
                20, MID, Map.of(
                        "id", new FieldStamp(10, EARLY), "owner_id", new FieldStamp(10, EARLY),
                        "title", new FieldStamp(10, EARLY), "done", new FieldStamp(10, EARLY),
                        "note", new FieldStamp(20, MID)));
    }

    static Resolution resolve(ConflictPolicy policy, Change change, HubRecord current) {
        return ConflictResolvers.of(policy).resolve(new ConflictInput(TASKS, change, current));
    }

    @ParameterizedTest
    @EnumSource(ConflictPolicy.class)
    void eachResolverIsNamedByItsPolicysWireName(ConflictPolicy policy) {
        ConflictResolver resolver = ConflictResolvers.of(policy);
        assertEquals(policy.wireName(), resolver.name());
        assertSame(resolver, ConflictResolvers.of(policy));
    }

    @Test
    void serverWinsKeepsTheHub() {
        Change later = upsert(data("id", "t-1", "title", "x"), null, 10, LATE);
        assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.SERVER_WINS, later, hubRecord()));
    }

    @Test
    void clientWinsTakesTheClient() {
        Change earlier = upsert(data("id", "t-1", "title", "x"), null, 10, EARLY);
        assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.CLIENT_WINS, earlier, hubRecord()));
        assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.CLIENT_WINS, delete(10, EARLY), hubRecord()));
    }

    @Test
    void manualDefers() {
        assertSame(Resolution.DEFER, resolve(ConflictPolicy.MANUAL, delete(10, LATE), hubRecord()));
    }

    @Nested
    class LastWriterWinsPolicy {
        @Test
        void laterClientStampWins() {
            assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.LAST_WRITER_WINS,
                    upsert(data("id", "t-1", "title", "x"), null, 10, LATE), hubRecord()));
        }

        @Test
        void earlierOrEqualClientStampLoses() {
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.LAST_WRITER_WINS,
                    upsert(data("id", "t-1"), null, 10, EARLY), hubRecord()));
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.LAST_WRITER_WINS,
                    upsert(data("id", "t-1"), null, 10, MID), hubRecord()));
        }

        @Test
        void sameMillisAndCounterGoesByNodeAsAString() {
            HubRecord current = hub(data("id", "t-1"), 5, "1763765150500-0003-b", Map.of());
            assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.LAST_WRITER_WINS,
                    delete(1, "1763765150500-0003-c"), current));
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.LAST_WRITER_WINS,
                    delete(1, "1763765150500-0003-a"), current));
        }

        @Test
        void aHubRecordWithoutStampLoses() {
            HubRecord unstamped = hub(data("id", "t-1"), 5, null, Map.of());
            assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.LAST_WRITER_WINS, delete(1, EARLY), unstamped));
        }
    }

    @Nested
    class FieldMergePolicy {
        @Test
        void disjointFieldsMergeBoth() {
            // client changed title (hub's title unchanged since base 10); hub changed note at 20
            Change change = upsert(data("id", "t-1", "owner_id", "alice", "title", "client title", "done", false,
                    "note", "stale note"), List.of("title"), 10, EARLY);
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            assertEquals(data("id", "t-1", "owner_id", "alice", "title", "client title", "done", false,
                    "note", "hub note"), merge.data());
        }

        @Test
        void aFieldTheHubDidNotChangeSinceBaseTakesTheClientValueEvenWithAnOlderStamp() {
            // title's stamp version 10 == base 10: unchanged on the hub; the client's hlc is older than everything
            Change change = upsert(data("id", "t-1", "title", "client title"), List.of("title"), 10,
                    "1763765140000-0000-z");
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            assertEquals("client title", merge.data().get("title"));
        }

        @Test
        void aFieldWithoutStampTakesTheClientValue() {
            Change change = upsert(data("id", "t-1", "rank", 3L), List.of("rank"), 0, EARLY);
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            assertEquals(3L, merge.data().get("rank"));
            assertEquals("hub note", merge.data().get("note"));
        }

        @Test
        void sameFieldGoesByHlc() {
            // note changed on the hub at 20 (MID) after base 10
            Change later = upsert(data("id", "t-1", "note", "client note"), List.of("note"), 10, LATE);
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, later, hubRecord()));
            assertEquals("client note", merge.data().get("note"));

            Change earlier = upsert(data("id", "t-1", "note", "client note"), List.of("note"), 10, EARLY);
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.FIELD_MERGE, earlier, hubRecord()));
        }

        @Test
        void mixedOutcomeTakesOnlyTheFieldsTheClientWon() {
            Change change = upsert(data("id", "t-1", "title", "client title", "note", "client note"),
                    List.of("title", "note"), 10, EARLY);
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            assertEquals("client title", merge.data().get("title"));
            assertEquals("hub note", merge.data().get("note"));
        }

        @Test
        void withoutFieldListEveryDataFieldCountsAsChanged() {
            Change change = upsert(data("id", "t-1", "owner_id", "alice", "title", "client title", "done", true,
                    "note", "client note"), null, 10, EARLY);
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            assertEquals(data("id", "t-1", "owner_id", "alice", "title", "client title", "done", true,
                    "note", "hub note"), merge.data());
        }

        @Test
        void neverMergesTheIdOrScopeField() {
            Change change = upsert(data("id", "t-other", "owner_id", "mallory"), List.of("id", "owner_id"), 10,
                    LATE);
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            Change withTitle = upsert(data("id", "t-other", "owner_id", "mallory", "title", "t"), null, 10, LATE);
            Resolution.Merge merge = assertInstanceOf(Resolution.Merge.class,
                    resolve(ConflictPolicy.FIELD_MERGE, withTitle, hubRecord()));
            assertEquals("t-1", merge.data().get("id"));
            assertEquals("alice", merge.data().get("owner_id"));
        }

        @Test
        void deleteOnEitherSideGoesByRecordHlc() {
            assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.FIELD_MERGE, delete(10, LATE), hubRecord()));
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.FIELD_MERGE, delete(10, EARLY), hubRecord()));
            HubRecord tombstone = hub(null, 30, MID, Map.of());
            Change revive = upsert(data("id", "t-1", "title", "back"), List.of("title"), 10, LATE);
            assertSame(Resolution.TAKE_CLIENT, resolve(ConflictPolicy.FIELD_MERGE, revive, tombstone));
            Change stale = upsert(data("id", "t-1", "title", "back"), List.of("title"), 10, EARLY);
            assertSame(Resolution.KEEP_HUB, resolve(ConflictPolicy.FIELD_MERGE, stale, tombstone));
        }

        @Test
        void deterministicUnderRepetitionAndFieldOrder() {
            long seed = System.nanoTime();
            Random random = new Random(seed);
            List<String> names = List.of("title", "done", "note", "rank");
            Map<String, Object> clientData = data("id", "t-1", "title", "ct", "done", true, "note", "cn",
                    "rank", 9L);
            Change change = upsert(clientData, names, 10, MID);
            Resolution first = resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord());
            assertEquals(first, resolve(ConflictPolicy.FIELD_MERGE, change, hubRecord()));
            for (int i = 0; i < 20; i++) {
                List<String> fields = new ArrayList<>(names);
                Collections.shuffle(fields, random);
                List<String> keys = new ArrayList<>(clientData.keySet());
                Collections.shuffle(keys, random);
                Map<String, Object> shuffled = new LinkedHashMap<>();
                keys.forEach(k -> shuffled.put(k, clientData.get(k)));
                assertEquals(first, resolve(ConflictPolicy.FIELD_MERGE, upsert(shuffled, fields, 10, MID),
                        hubRecord()), "seed " + seed);
            }
        }

        @Test
        void noFieldTheClientDidNotChangeIsEverAltered() {
            long seed = System.nanoTime();
            Random random = new Random(seed);
            List<String> all = List.of("title", "done", "note", "rank", "extra");
            String[] stamps = {EARLY, MID, LATE};
            for (int round = 0; round < 500; round++) {
                Map<String, Object> hubData = data("id", "t-1", "owner_id", "alice");
                Map<String, FieldStamp> fieldStamps = new LinkedHashMap<>();
                Map<String, Object> clientData = data("id", "t-1", "owner_id", "bob");
                List<String> changed = new ArrayList<>();
                for (String f : all) {
                    hubData.put(f, "hub-" + f);
                    if (random.nextBoolean()) {
                        fieldStamps.put(f, new FieldStamp(1 + random.nextInt(30), stamps[random.nextInt(3)]));
                    }
                    clientData.put(f, "client-" + f);
                    if (random.nextBoolean()) {
                        changed.add(f);
                    }
                }
                Change change = upsert(clientData, changed, random.nextInt(30), stamps[random.nextInt(3)]);
                Resolution r = resolve(ConflictPolicy.FIELD_MERGE, change,
                        hub(hubData, 31, stamps[random.nextInt(3)], fieldStamps));
                if (r instanceof Resolution.Merge merge) {
                    for (Map.Entry<String, Object> e : hubData.entrySet()) {
                        if (!changed.contains(e.getKey())) {
                            assertEquals(e.getValue(), merge.data().get(e.getKey()),
                                    "seed " + seed + ": field " + e.getKey() + " was altered");
                        }
                    }
                    assertEquals(hubData.keySet(), merge.data().keySet(), "seed " + seed);
                } else {
                    assertSame(Resolution.KEEP_HUB, r, "seed " + seed);
                }
            }
        }
    }
}
