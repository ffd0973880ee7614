package io.tether.sync.tck;

import io.tether.sync.HubEngine;
import io.tether.sync.ProblemException;
import io.tether.sync.TransportException;
import io.tether.sync.core.InProcessTransport;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.ReplicaStore;
import io.tether.sync.spi.ReplicaTransaction;
import io.tether.sync.spi.Resolution;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncPlugin;
import io.tether.sync.spi.SyncTransport;
import io.tether.sync.ConflictPolicy;
import io.tether.sync.Operation;
import io.tether.sync.core.internal.conflict.ConflictResolvers;
import io.tether.sync.tck.plugins.LeakyPlugin;
import io.tether.sync.tck.plugins.UnlistedPlugin;
import io.tether.sync.tck.plugins.VaguePlugin;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kits must fail for broken implementations, and name the rule they break. Each case runs a kit adoption
 * over a deliberately broken store, hub, transport, resolver or plugin with the JUnit Platform Launcher.
 */
class BrokenImplementationsTest {

    private static void assertCaught(Class<?> adoption, Set<String> expected) {
        assertCaught(adoption, null, expected);
    }

    /**
     * The kit must report exactly {@code expected} for {@code adoption}, beyond what it reports for
     * {@code reference}, the correct implementation the broken one wraps (which may have known defects of its own).
     */
    private static void assertCaught(Class<?> adoption, Class<?> reference, Set<String> expected) {
        KitRunner.Verdict verdict = KitRunner.run(adoption);
        Set<String> failed = new TreeSet<>(verdict.failedRules());
        if (reference != null) {
            failed.removeAll(KitRunner.run(reference).failedRules());
        }
        assertEquals(expected, failed, "the kit must report exactly these rules: " + verdict);
        assertTrue(verdict.passed() > 0, "the kit ran nothing: " + verdict);
    }

    private static void assertCaughtAmong(Class<?> adoption, Class<?> reference, String rule, Set<String> allowed) {
        KitRunner.Verdict verdict = KitRunner.run(adoption);
        Set<String> failed = new TreeSet<>(verdict.failedRules());
        failed.removeAll(KitRunner.run(reference).failedRules());
        assertTrue(failed.contains(rule), "the kit must report " + rule + ": " + verdict);
        assertTrue(allowed.containsAll(failed), "the kit blamed unrelated rules: " + verdict);
    }

    // ---- stores

    @Test
    @DisplayName("a replica store whose transactions are not atomic fails [replica-store-1], and its push "
            + "transactions [replica-store-18]")
    void nonAtomicReplicaStore() {
        assertCaught(NonAtomicReplicaStoreKit.class, ReferenceReplicaStoreKit.class,
                Set.of("replica-store-1", "replica-store-18"));
    }

    @Test
    @DisplayName("a hub store whose transactions are not atomic fails [hub-store-1]")
    void nonAtomicHubStore() {
        assertCaughtAmong(NonAtomicHubStoreKit.class, ReferenceHubStoreKit.class, "hub-store-1",
                Set.of("hub-store-1", "hub-store-14"));
    }

    @Test
    @DisplayName("a hub store that versions at write time, so a pull skips a late commit, and does not isolate "
            + "transactions, so one overwrites another's write, fails [hub-store-3] and [hub-store-18]")
    void lateCommitSkipped() {
        assertCaught(LooseHubStoreKit.class, Set.of("hub-store-3", "hub-store-18"));
    }

    @Test
    @DisplayName("a hub store that forgets applied changes fails [hub-store-10]")
    void forgetfulHubStore() {
        assertCaughtAmong(ForgetfulHubStoreKit.class, ReferenceHubStoreKit.class, "hub-store-10",
                Set.of("hub-store-10", "hub-store-17"));
    }

    @Test
    @DisplayName("a hub store whose dedup prefetch goes stale after recordApplied fails [hub-store-17]")
    void staleDedupPrefetch() {
        assertCaught(StaleDedupHubStoreKit.class, ReferenceHubStoreKit.class, Set.of("hub-store-17"));
    }

    @Test
    @DisplayName("a replica store whose version() drops the stale mark fails [replica-store-15]")
    void unsignedVersionReplicaStore() {
        assertCaught(UnsignedVersionReplicaStoreKit.class, ReferenceReplicaStoreKit.class, Set.of("replica-store-15"));
    }

    @Test
    @DisplayName("a replica store that reads the outbox from its start whatever sequence it is given fails [replica-store-7]")
    void rewindingReplicaStore() {
        assertCaught(RewindingReplicaStoreKit.class, ReferenceReplicaStoreKit.class, Set.of("replica-store-7"));
    }

    @Test
    @DisplayName("a replica store that captures remote applies (echo) fails [replica-store-3]")
    void echoingReplicaStore() {
        assertCaughtAmong(EchoingReplicaStoreKit.class, ReferenceReplicaStoreKit.class, "replica-store-3",
                Set.of("replica-store-1", "replica-store-3", "replica-store-5", "replica-store-6", "replica-store-9",
                        "replica-store-17", "replica-store-18"));
    }

    // ---- hub and transports

    @Test
    @DisplayName("a hub that applies a retried push twice fails [transport-2]")
    void retriedPushAppliedTwice() {
        assertCaught(DoubleApplyingHubKit.class, Set.of("transport-2"));
    }

    @Test
    @DisplayName("a transport that drops a page fails [transport-8]")
    void pageDropped() {
        assertCaught(PageDroppingTransportKit.class, Set.of("transport-8"));
    }

    @Test
    @DisplayName("a transport that drops pages breaks convergence: [convergence-1]")
    void pageDroppedBreaksConvergence() {
        KitRunner.Verdict verdict = KitRunner.run(PageDroppingConvergenceKit.class);
        assertTrue(verdict.failedRules().contains("convergence-1"), "convergence must fail: " + verdict);
        assertTrue(verdict.failures().stream().anyMatch(f -> f.contains("rerun with -Dtether.tck.seed=")),
                "a convergence failure prints its seed: " + verdict);
    }

    @Test
    @DisplayName("a transport that turns problems into network errors fails the error-mapping rules")
    void problemsHidden() {
        assertCaught(ProblemHidingTransportKit.class,
                Set.of("transport-5", "transport-11", "transport-12", "transport-13"));
    }

    @Test
    @DisplayName("a live transport that delivers other principals' changes fails [transport-15]")
    void liveLeaksScopes() {
        assertCaught(LeakyLiveTransportKit.class, Set.of("transport-15"));
    }

    // ---- resolvers

    @Test
    @DisplayName("a non-deterministic resolver fails [resolver-1]")
    void nonDeterministicResolver() {
        assertCaught(CoinFlipResolverKit.class, Set.of("resolver-1"));
    }

    @Test
    @DisplayName("a resolver that keeps the hub where it claims last-writer-wins loses writes: [resolver-7]")
    void resolverLosesWrites() {
        assertCaught(FalseClaimResolverKit.class, Set.of("resolver-7"));
    }

    // ---- plugins

    @Test
    @DisplayName("a plugin without its META-INF/services entry fails [plugin-1]")
    void unlistedPlugin() {
        assertCaught(UnlistedPluginKit.class, Set.of("plugin-1"));
    }

    @Test
    @DisplayName("a plugin that leaves a thread running fails [plugin-5]")
    void leakyPlugin() {
        assertCaught(LeakyPluginKit.class, Set.of("plugin-5"));
    }

    @Test
    @DisplayName("a plugin whose configuration error does not name the property fails [plugin-6]")
    void vaguePlugin() {
        assertCaught(VaguePluginKit.class, Set.of("plugin-6"));
    }

    // ==== the broken implementations, each adopted by its kit, and the references they wrap

    /** The in-memory replica store as it is: what the broken wrappers start from. */
    static final class ReferenceReplicaStoreKit extends ReplicaStoreKit {
        @Override
        protected ReplicaStore createReplicaStore() {
            return MemoryStore.replica();
        }
    }

    /** The in-memory hub store as it is. */
    static final class ReferenceHubStoreKit extends HubStoreKit {
        @Override
        protected HubStore createHubStore() {
            return MemoryStore.hub();
        }
    }

    /** Commits what the work did before it threw, then rethrows. */
    static final class NonAtomicReplicaStore extends DelegatingReplicaStore {
        NonAtomicReplicaStore() {
            super(MemoryStore.replica());
        }

        @Override
        public <T> T inTransaction(Function<ReplicaTransaction, T> work) {
            RuntimeException[] failure = new RuntimeException[1];
            T result = delegate.inTransaction(tx -> {
                try {
                    return work.apply(tx);
                } catch (RuntimeException e) {
                    failure[0] = e;
                    return null;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            return result;
        }
    }

    /** Reports versions without their sign, so a stale record looks up to date. */
    static final class UnsignedVersionReplicaStore extends DelegatingReplicaStore {
        UnsignedVersionReplicaStore() {
            super(MemoryStore.replica());
        }

        @Override
        public <T> T inTransaction(Function<ReplicaTransaction, T> work) {
            return delegate.inTransaction(tx -> work.apply(new DelegatingReplicaTransaction(tx) {
                @Override
                public long version(String collection, String id) {
                    return Math.abs(tx.version(collection, id));
                }
            }));
        }
    }

    /** Ignores the sequence to read after: the engine would send the same entries again and again. */
    static final class RewindingReplicaStore extends DelegatingReplicaStore {
        RewindingReplicaStore() {
            super(MemoryStore.replica());
        }

        @Override
        public List<OutboxEntry> outbox(Set<OutboxState> states, long afterSequence, int limit) {
            return delegate.outbox(states, limit);
        }
    }

    static final class RewindingReplicaStoreKit extends ReplicaStoreKit {
        @Override
        protected ReplicaStore createReplicaStore() {
            return new RewindingReplicaStore();
        }
    }

    static final class UnsignedVersionReplicaStoreKit extends ReplicaStoreKit {
        @Override
        protected ReplicaStore createReplicaStore() {
            return new UnsignedVersionReplicaStore();
        }
    }

    static final class NonAtomicReplicaStoreKit extends ReplicaStoreKit {
        @Override
        protected ReplicaStore createReplicaStore() {
            return new NonAtomicReplicaStore();
        }
    }

    /** Commits what the work did before it threw, then rethrows. */
    static final class NonAtomicHubStore extends DelegatingHubStore {
        NonAtomicHubStore() {
            super(MemoryStore.hub());
        }

        @Override
        public <T> T inTransaction(Function<HubTransaction, T> work) {
            RuntimeException[] failure = new RuntimeException[1];
            T result = delegate.inTransaction(tx -> {
                try {
                    return work.apply(tx);
                } catch (RuntimeException e) {
                    failure[0] = e;
                    return null;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            return result;
        }
    }

    static final class NonAtomicHubStoreKit extends HubStoreKit {
        @Override
        protected HubStore createHubStore() {
            return new NonAtomicHubStore();
        }
    }

    static final class LooseHubStoreKit extends HubStoreKit {
        @Override
        protected HubStore createHubStore() {
            return new LooseHubStore();
        }
    }

    /** Never finds a change it applied before: every retry applies again. */
    static final class ForgetfulHubStore extends DelegatingHubStore {
        ForgetfulHubStore() {
            super(MemoryStore.hub());
        }

        @Override
        public <T> T inTransaction(Function<HubTransaction, T> work) {
            return delegate.inTransaction(tx -> work.apply(new DelegatingHubTransaction(tx) {
                @Override
                public OptionalLong appliedVersion(String clientId, String changeId) {
                    return OptionalLong.empty();
                }
            }));
        }
    }

    /** Caches what prefetchApplied found and keeps answering from it, blind to this transaction's own records. */
    static final class StaleDedupHubStore extends DelegatingHubStore {
        StaleDedupHubStore() {
            super(MemoryStore.hub());
        }

        @Override
        public <T> T inTransaction(Function<HubTransaction, T> work) {
            return delegate.inTransaction(tx -> work.apply(new DelegatingHubTransaction(tx) {
                private final Map<String, OptionalLong> cached = new java.util.HashMap<>();

                @Override
                public void prefetchApplied(String clientId, java.util.Collection<String> changeIds) {
                    changeIds.forEach(id -> cached.put(clientId + " " + id, tx.appliedVersion(clientId, id)));
                }

                @Override
                public OptionalLong appliedVersion(String clientId, String changeId) {
                    OptionalLong known = cached.get(clientId + " " + changeId);
                    return known != null ? known : tx.appliedVersion(clientId, changeId);
                }
            }));
        }
    }

    static final class StaleDedupHubStoreKit extends HubStoreKit {
        @Override
        protected HubStore createHubStore() {
            return new StaleDedupHubStore();
        }
    }

    static final class ForgetfulHubStoreKit extends HubStoreKit {
        @Override
        protected HubStore createHubStore() {
            return new ForgetfulHubStore();
        }
    }

    /** Also records every remote apply in the outbox: an echo loop. */
    static final class EchoingReplicaStore extends DelegatingReplicaStore {
        private final AtomicInteger sequence = new AtomicInteger(1_000_000);

        EchoingReplicaStore() {
            super(MemoryStore.replica());
        }

        @Override
        public <T> T inTransaction(Function<ReplicaTransaction, T> work) {
            return delegate.inTransaction(tx -> work.apply(new EchoingTransaction(tx)));
        }

        private final class EchoingTransaction extends DelegatingReplicaTransaction {
            EchoingTransaction(ReplicaTransaction tx) {
                super(tx);
            }

            @Override
            public void applyRemote(String collection, String id, Map<String, Object> data, long version) {
                tx.applyRemote(collection, id, data, version);
                long seq = sequence.incrementAndGet();
                tx.saveOutbox(new OutboxEntry(seq, io.tether.sync.spi.Change.changeId(clientId(), seq), collection,
                        id, data == null ? Operation.DELETE : Operation.UPSERT, data, null, version, null,
                        OutboxState.PENDING, null));
            }
        }
    }

    static final class EchoingReplicaStoreKit extends ReplicaStoreKit {
        @Override
        protected ReplicaStore createReplicaStore() {
            return new EchoingReplicaStore();
        }
    }

    private static SyncTransport inProcess(HubEngine hub, String token) {
        return new InProcessTransport(hub.service(), hub.service().authenticate(token));
    }

    static final class DoubleApplyingHubKit extends TransportKit {
        @Override
        protected HubStore createHubStore() {
            return new ForgetfulHubStore();
        }

        @Override
        protected SyncTransport createTransport(HubEngine hub, String token) {
            return inProcess(hub, token);
        }
    }

    /** Loses every second page that says more follow. */
    static final class PageDroppingTransport implements SyncTransport {
        private final SyncTransport delegate;
        private int morePages;

        PageDroppingTransport(SyncTransport delegate) {
            this.delegate = delegate;
        }

        @Override
        public PushResponse push(PushRequest request) {
            return delegate.push(request);
        }

        @Override
        public synchronized PullResponse pull(PullRequest request) {
            PullResponse page = delegate.pull(request);
            if (page.hasMore() && ++morePages % 2 == 0) {
                return delegate.pull(new PullRequest(page.cursor(), request.limit(), request.collections()));
            }
            return page;
        }

        @Override
        public Schema schema() {
            return delegate.schema();
        }
    }

    static final class PageDroppingTransportKit extends TransportKit {
        @Override
        protected HubStore createHubStore() {
            return MemoryStore.hub();
        }

        @Override
        protected SyncTransport createTransport(HubEngine hub, String token) {
            return new PageDroppingTransport(inProcess(hub, token));
        }
    }

    static final class PageDroppingConvergenceKit extends ConvergenceKit {
        @Override
        protected HubStore createHubStore() {
            return MemoryStore.hub();
        }

        @Override
        protected ReplicaStore createReplicaStore() {
            return MemoryStore.replica();
        }

        @Override
        protected SyncTransport createTransport(HubEngine hub, String token) {
            return new PageDroppingTransport(inProcess(hub, token));
        }
    }

    /** Reports every problem the hub answers as a retryable network failure. */
    static final class ProblemHidingTransport implements SyncTransport {
        private final SyncTransport delegate;

        ProblemHidingTransport(SyncTransport delegate) {
            this.delegate = delegate;
        }

        private static <T> T hiding(java.util.function.Supplier<T> call) {
            try {
                return call.get();
            } catch (ProblemException e) {
                throw new TransportException("the hub failed", e);
            }
        }

        @Override
        public PushResponse push(PushRequest request) {
            return hiding(() -> delegate.push(request));
        }

        @Override
        public PullResponse pull(PullRequest request) {
            return hiding(() -> delegate.pull(request));
        }

        @Override
        public Schema schema() {
            return hiding(delegate::schema);
        }
    }

    static final class ProblemHidingTransportKit extends TransportKit {
        @Override
        protected HubStore createHubStore() {
            return MemoryStore.hub();
        }

        @Override
        protected SyncTransport createTransport(HubEngine hub, String token) {
            return ProblemHidingTransport.hiding(() -> new ProblemHidingTransport(inProcess(hub, token)));
        }
    }

    /** Live delivery that forgets to ask the hub what the principal may read. */
    static final class LeakyLiveTransportKit extends TransportKit {
        @Override
        protected HubStore createHubStore() {
            return MemoryStore.hub();
        }

        @Override
        protected SyncTransport createTransport(HubEngine hub, String token) {
            return new LiveInProcessTransport(hub.service(), hub.service().authenticate(token), (p, e) -> true);
        }

        @Override
        protected TransportFeatures features() {
            return TransportFeatures.defaults().withLive();
        }
    }

    /** Decides by coin flip. */
    static final class CoinFlipResolverKit extends ConflictResolverKit {
        @Override
        protected ConflictResolver createResolver() {
            Random coin = new Random();
            return in -> coin.nextBoolean() ? Resolution.KEEP_HUB : Resolution.TAKE_CLIENT;
        }
    }

    /** server-wins, claiming to be last-writer-wins. */
    static final class FalseClaimResolverKit extends ConflictResolverKit {
        @Override
        protected ConflictResolver createResolver() {
            return ConflictResolvers.of(ConflictPolicy.SERVER_WINS);
        }

        @Override
        protected ResolverFeatures features() {
            return ResolverFeatures.claims(ResolverClaim.LATER_HLC_WINS);
        }
    }

    static final class UnlistedPluginKit extends PluginKit {
        @Override
        protected SyncPlugin createPlugin() {
            return new UnlistedPlugin();
        }
    }

    static final class LeakyPluginKit extends PluginKit {
        @Override
        protected SyncPlugin createPlugin() {
            return new LeakyPlugin();
        }
    }

    static final class VaguePluginKit extends PluginKit {
        @Override
        protected SyncPlugin createPlugin() {
            return new VaguePlugin();
        }

        @Override
        protected PluginFeatures features() {
            return PluginFeatures.defaults().withBadConfiguration(Map.of("tether.vague.mode", "sideways"));
        }
    }
}
