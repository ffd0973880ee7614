package io.tether.sync.core.internal;

import io.tether.sync.Operation;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PullFilter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The live feed of a hub node whose store other nodes also commit to: the store here is a shared log that the test
 * appends to as "another node" or as this one, and reports this node's commits to the feed itself.
 */
class CommitFeedTest {
    private final List<LogEntry> log = new ArrayList<>();
    private final List<Long> handedOver = new ArrayList<>();
    private final List<Runnable> requested = new ArrayList<>();
    private final AtomicBoolean listening = new AtomicBoolean(true);
    private HubStore store;
    private CommitFeed feed;

    @BeforeEach
    void setUp() {
        store = mock(HubStore.class);
        when(store.headVersion()).thenAnswer(i -> log.isEmpty() ? 0L : log.get(log.size() - 1).version());
        when(store.changesSince(anyLong(), anyLong(), anyInt(), any(PullFilter.class))).thenAnswer(i -> {
            long after = i.getArgument(0);
            long upTo = i.getArgument(1);
            int limit = i.getArgument(2);
            PullFilter filter = i.getArgument(3);
            return log.stream().filter(e -> e.version() > after && e.version() <= upTo)
                    .filter(e -> filter.accepts(e.collection(), e.scope())).limit(limit).toList();
        });
        commit(1, 2); // before the feed: not handed over
        feed = new CommitFeed(store, List.of("tasks"), entries -> entries.forEach(e -> handedOver.add(e.version())),
                listening::get, requested::add);
    }

    private List<LogEntry> commit(long first, long last) {
        List<LogEntry> entries = LongStream.rangeClosed(first, last).mapToObj(v -> new LogEntry(v, "tasks", "t" + v,
                Operation.UPSERT, Map.of("id", "t" + v), "ann", Instant.EPOCH)).toList();
        log.addAll(entries);
        return entries;
    }

    private void runRequested() {
        List<Runnable> now = List.copyOf(requested);
        requested.clear();
        now.forEach(Runnable::run);
    }

    private static List<Long> versions(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void thisNodesCommitsInOrderAreHandedOverAtOnceWithoutReadingTheStore() {
        feed.committed(commit(3, 4));
        feed.committed(commit(5, 5));
        assertEquals(versions(3, 5), handedOver);
        assertTrue(requested.isEmpty());
        verify(store, never()).changesSince(anyLong(), anyLong(), anyInt(), any());
    }

    @Test
    void aCommitAfterAnotherNodesWaitsUntilTheirVersionsAreReadFromTheStore() {
        commit(3, 4); // another node
        feed.committed(commit(5, 6));
        assertEquals(List.of(), handedOver, "5 and 6 must not overtake 3 and 4");
        assertEquals(1, requested.size(), "a catch-up is asked for at once");
        feed.committed(commit(7, 7));
        assertEquals(1, requested.size(), "one catch-up at a time is queued");
        runRequested();
        assertEquals(versions(3, 7), handedOver, "each version once, in order");
        feed.committed(commit(8, 8));
        assertEquals(versions(3, 8), handedOver);
    }

    @Test
    void theTimerHandsOverOtherNodesCommitsAndThisNodesLateReportIsNotRepeated() {
        commit(3, 3); // another node
        List<LogEntry> mine = commit(4, 4); // this node: committed, its report still on the way
        feed.catchUp();
        assertEquals(versions(3, 4), handedOver);
        feed.committed(mine);
        assertEquals(versions(3, 4), handedOver);
        feed.catchUp();
        assertEquals(versions(3, 4), handedOver, "nothing new");
    }

    @Test
    void aLongStretchIsReadInPagesAndVersionsCompactedAwayAreNotAwaited() {
        commit(3, 3 + 2L * CommitFeed.PAGE);
        log.removeIf(e -> e.version() % 3 == 0); // superseded entries compacted away
        long mine = 4 + 2L * CommitFeed.PAGE;
        feed.committed(commit(mine, mine));
        runRequested();
        List<Long> expected = new ArrayList<>(LongStream.rangeClosed(3, mine - 1).filter(v -> v % 3 != 0).boxed()
                .toList());
        expected.add(mine);
        assertEquals(expected, handedOver);
    }

    @Test
    void nothingIsHeldWhileNoOneListensAndANewListenerStartsAtTheHead() {
        listening.set(false);
        commit(3, 3); // another node
        feed.committed(commit(4, 4));
        feed.catchUp();
        commit(5, 5);
        assertEquals(List.of(), handedOver);
        assertTrue(requested.isEmpty());
        listening.set(true);
        feed.listening();
        feed.committed(commit(6, 6));
        assertEquals(List.of(6L), handedOver);
        verify(store, never()).changesSince(anyLong(), anyLong(), anyInt(), any());
    }

    @Test
    void aFailedReadIsTriedAgainByTheTimerAndTheWaitingCommitsFollow() {
        commit(3, 3); // another node
        when(store.changesSince(anyLong(), anyLong(), anyInt(), any(PullFilter.class)))
                .thenThrow(new IllegalStateException("database unreachable"))
                .thenAnswer(i -> log.stream().filter(e -> e.version() > (long) i.getArgument(0)
                        && e.version() <= (long) i.getArgument(1)).toList());
        feed.committed(commit(4, 4));
        runRequested(); // fails, logged
        assertEquals(List.of(), handedOver);
        feed.catchUpQuietly();
        assertEquals(versions(3, 4), handedOver);
    }
}
