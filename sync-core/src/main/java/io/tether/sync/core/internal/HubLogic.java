package io.tether.sync.core.internal;

import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Subscription;
import io.tether.sync.spi.Authenticator;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.ConflictInput;
import io.tether.sync.spi.ConflictResolver;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HlcStamp;
import io.tether.sync.spi.HookVetoException;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubRecord;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.HubStore;
import io.tether.sync.spi.HubTransaction;
import io.tether.sync.spi.HubWrite;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.PendingWrite;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullFilter;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.RejectReason;
import io.tether.sync.spi.Resolution;
import io.tether.sync.spi.Role;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.ScopePolicy;
import io.tether.sync.spi.ScopeSet;
import io.tether.sync.spi.SyncClock;
import io.tether.sync.spi.WriteRefusedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The hub semantics of PROTOCOL.md sections 3 to 6, written once for every transport and store (see
 * docs/internals.md). Thread-safe: all state lives in the store.
 */
public final class HubLogic implements HubService {
    private static final System.Logger LOG = System.getLogger(HubLogic.class.getName());

    private final HubStore store;
    private final Schema schema;
    private final Function<String, ConflictResolver> resolvers;
    private final ScopePolicy scopes;
    private final Authenticator authenticator;
    private final HubLimits limits;
    private final SyncClock clock;
    private final Hooks hooks;
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final CommitFeed feed;

    public HubLogic(HubStore store, Schema schema, Function<String, ConflictResolver> resolvers, ScopePolicy scopes,
                    Authenticator authenticator, HubLimits limits, SyncClock clock, Hooks hooks, Executor catchUps) {
        this.store = Objects.requireNonNull(store, "store");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.resolvers = Objects.requireNonNull(resolvers, "resolvers");
        this.scopes = Objects.requireNonNull(scopes, "scopes");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.feed = new CommitFeed(store, schema.collections().stream().map(CollectionSchema::name).toList(),
                this::handOver, () -> !listeners.isEmpty(), catchUps);
    }

    // ---- authentication and schema

    @Override
    public Principal authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new ProblemException(ProblemType.UNAUTHORIZED, "a bearer token is required");
        }
        Principal principal = authenticator.authenticate(bearerToken);
        if (principal == null) {
            throw new ProblemException(ProblemType.UNAUTHORIZED, "the token was not accepted");
        }
        return principal;
    }

    @Override
    public void checkSchemaVersion(Integer replicaVersion) {
        if (replicaVersion != null && replicaVersion != schema.version()) {
            throw new ProblemException(ProblemType.SCHEMA_MISMATCH, "the replica was built for schema version "
                    + replicaVersion + "; this hub serves version " + schema.version());
        }
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public HubLimits limits() {
        return limits;
    }

    // ---- push

    @Override
    public PushResponse push(Principal principal, PushRequest request) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(request, "request");
        if (request.changes().size() > limits.maxPushChanges()) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "the push has " + request.changes().size()
                    + " changes; the limit is " + limits.maxPushChanges() + " per request");
        }
        if (request.clientId().isBlank()) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "clientId must not be blank");
        }
        List<Object> checked = new ArrayList<>(request.changes().size());
        for (Change change : request.changes()) {
            checked.add(check(change));
        }
        List<PushResult> results;
        try {
            results = store.inTransaction(tx -> applyAll(tx, principal, request.clientId(), checked));
        } catch (ProblemException answer) {
            throw answer; // the store's answer to the client (rate-limited while its records are contended, say)
        } catch (RuntimeException storeFailure) {
            // one change the store cannot take must not hold back the others: one transaction each
            LOG.log(System.Logger.Level.DEBUG, "push retried change by change after a store failure", storeFailure);
            results = applyOneByOne(principal, request.clientId(), checked);
        }
        return new PushResponse(results, cursorAt(store.headVersion()));
    }

    /** How many times a push retries the changes its store refused, after the others of the push. */
    private static final int REFUSED_ROUNDS = 8;

    /**
     * The push with one store transaction per change, in array order. A change the store refuses is tried again once
     * the rest of the push is applied, as long as that lets more of them through: it may need a record that a later
     * change of the same push creates (a task moved offline into a project created after the task, whose outbox
     * entry comes later). A later change of a record that waits, waits behind it, so each record's changes still
     * apply in order. What is still refused then is rejected, for the store's reason.
     */
    private List<PushResult> applyOneByOne(Principal principal, String clientId, List<Object> checked) {
        PushResult[] results = new PushResult[checked.size()];
        Map<Integer, WriteRefusedException> refused = new LinkedHashMap<>();
        for (int i = 0; i < checked.size(); i++) {
            if (!(checked.get(i) instanceof Checked)) {
                results[i] = (PushResult) checked.get(i);
            } else {
                refused.put(i, null); // not tried yet
            }
        }
        for (int round = 0; round <= REFUSED_ROUNDS && !refused.isEmpty(); round++) {
            boolean applied = false;
            Set<RecordKey> waiting = new HashSet<>();
            for (Map.Entry<Integer, WriteRefusedException> e : refused.entrySet()) {
                Checked c = (Checked) checked.get(e.getKey());
                RecordKey record = new RecordKey(c.collection().name(), c.change().id());
                if (waiting.contains(record)) {
                    continue; // behind an earlier change of its record that was refused
                }
                try {
                    results[e.getKey()] = store.inTransaction(tx -> {
                        // the record's locks first, in the order a whole push takes them (else two pushes deadlock)
                        tx.prefetch(c.collection().name(), List.of(c.change().id()));
                        return applyOne(tx, principal, clientId, c);
                    });
                    applied = true;
                } catch (WriteRefusedException refusal) {
                    e.setValue(refusal);
                    waiting.add(record);
                }
            }
            refused.keySet().removeIf(i -> results[i] != null);
            if (!applied) {
                break; // nothing changed: trying again would be refused the same way
            }
        }
        for (Map.Entry<Integer, WriteRefusedException> e : refused.entrySet()) {
            WriteRefusedException refusal = e.getValue();
            String changeId = ((Checked) checked.get(e.getKey())).change().changeId();
            results[e.getKey()] = refusal == null
                    ? rejected(changeId, RejectReason.VALIDATION, "not applied: an earlier change of its record was "
                    + "refused in this push")
                    : rejected(changeId, refusal.reason(), refusal.getMessage());
        }
        return List.of(results);
    }

    /** A change that passed the checks that need no store: its collection and the clock stamp it is judged by. */
    private record Checked(CollectionSchema collection, Change change) {
    }

    /**
     * The whole push in one store transaction (one commit, not one per change). Each change still takes effect
     * completely or not at all: everything that can refuse a change (dedup, scope, hooks, merge validation) does
     * so before that change writes anything.
     */
    private List<PushResult> applyAll(HubTransaction tx, Principal principal, String clientId, List<Object> checked) {
        List<Checked> applicable = checked.stream().filter(Checked.class::isInstance).map(Checked.class::cast)
                .toList();
        RecordKey.idsByCollection(applicable, c -> c.collection().name(), c -> c.change().id()).forEach(tx::prefetch);
        tx.prefetchApplied(clientId, applicable.stream().map(c -> c.change().changeId()).toList());
        List<PushResult> results = new ArrayList<>(checked.size());
        for (Object c : checked) {
            results.add(c instanceof Checked ok ? applyOne(tx, principal, clientId, ok) : (PushResult) c);
        }
        return results;
    }

    private PushResult applyOne(HubTransaction tx, Principal principal, String clientId, Checked c) {
        try {
            return decide(tx, principal, clientId, c.collection(), c.change());
        } catch (HookVetoException | InvalidMerge e) {
            return rejected(c.change().changeId(), RejectReason.VALIDATION, e.getMessage());
        }
    }

    /** Either a {@link Checked} change or the {@link PushResult} that rejects it. */
    private Object check(Change change) {
        String changeId = change.changeId();
        if (changeId == null || changeId.isBlank()) {
            return rejected("", RejectReason.VALIDATION, "changeId is required");
        }
        CollectionSchema collection = change.collection() == null ? null
                : schema.collection(change.collection()).orElse(null);
        if (collection == null) {
            return rejected(changeId, RejectReason.UNKNOWN_COLLECTION,
                    "collection '" + change.collection() + "' does not exist on this hub");
        }
        if (change.id() == null || change.id().isBlank()) {
            return rejected(changeId, RejectReason.VALIDATION, "id is required");
        }
        if (change.op() == null) {
            return rejected(changeId, RejectReason.VALIDATION, "op is required");
        }
        if (change.op() == Operation.UPSERT) {
            if (change.data() == null) {
                return rejected(changeId, RejectReason.VALIDATION, "data is required for an upsert");
            }
            List<String> problems = RecordValidator.problems(collection, change.id(), change.data());
            if (!problems.isEmpty()) {
                return rejected(changeId, RejectReason.VALIDATION, String.join("; ", problems));
            }
        }
        if (change.baseVersion() != null && change.baseVersion() < 0) {
            return rejected(changeId, RejectReason.VALIDATION, "baseVersion must not be negative");
        }
        String hlc = change.hlc();
        if (hlc != null && !HlcStamp.isValid(hlc)) {
            return rejected(changeId, RejectReason.VALIDATION, "hlc must look like 1763765150123-0001-node");
        }
        hlc = hlc == null ? clock.now() : judgedStamp(hlc);
        return new Checked(collection, new Change(changeId, change.collection(), change.id(), change.op(),
                change.data(), change.fields(), change.baseVersion(), hlc));
    }

    /**
     * The stamp a pushed change is judged and stored by: its own, which the hub's clock observes, unless the clock
     * ignores it as too far ahead of the hub's wall clock (a device whose clock runs ahead; {@link
     * io.tether.sync.core.HybridClock}'s maximum drift). Then the hub's own, so that such a device does not win every
     * last-writer-wins and field-merge conflict on the records it writes for as long as its clock is ahead.
     */
    private String judgedStamp(String hlc) {
        return clock.accept(hlc) ? hlc : clock.now();
    }

    private PushResult decide(HubTransaction tx, Principal principal, String clientId, CollectionSchema collection,
                              Change change) {
        OptionalLong earlier = tx.appliedVersion(clientId, change.changeId());
        if (earlier.isPresent()) {
            return new PushResult.Duplicate(change.changeId(), earlier.getAsLong());
        }
        HubRecord current = tx.read(collection.name(), change.id()).orElse(null);
        String scope;
        if (current != null) {
            scope = current.scope();
            Object requested = change.data() == null || collection.scopeField() == null ? null
                    : change.data().get(collection.scopeField());
            if (requested != null && !requested.equals(scope)) {
                return rejected(change.changeId(), RejectReason.FORBIDDEN,
                        "record '" + change.id() + "' cannot move to another scope");
            }
        } else {
            scope = scopes.scopeForNewRecord(principal, collection, change.data());
        }
        if (!scopes.mayWrite(principal, collection, scope)) {
            return rejected(change.changeId(), RejectReason.FORBIDDEN, "'" + principal.name()
                    + "' may not write record '" + change.id() + "' of '" + collection.name() + "'");
        }
        if (change.op() == Operation.DELETE && current != null && current.deleted()) {
            tx.recordApplied(clientId, change.changeId(), current.version());
            return new PushResult.Applied(change.changeId(), current.version());
        }
        Map<String, Object> sent = normalized(collection, change.id(), scope, change.data());
        boolean conflict = current != null && current.version() != change.base();
        if (!conflict) {
            return writeAsSent(tx, principal, clientId, collection, change, current, scope, sent);
        }
        ConflictResolver resolver = resolvers.apply(collection.name());
        Resolution resolution = resolver.resolve(new ConflictInput(collection, change, current));
        if (resolution instanceof Resolution.TakeClient) {
            return writeAsSent(tx, principal, clientId, collection, change, current, scope, sent);
        }
        if (resolution instanceof Resolution.Merge m) {
            Map<String, Object> merged = normalized(collection, change.id(), scope, m.data());
            List<String> problems = RecordValidator.problems(collection, change.id(), merged);
            if (!problems.isEmpty()) {
                throw new InvalidMerge(resolver.name() + " produced an invalid record: " + String.join("; ", problems));
            }
            Change asMerged = new Change(change.changeId(), change.collection(), change.id(), Operation.UPSERT,
                    merged, null, change.baseVersion(), change.hlc());
            Written w = write(tx, principal, clientId, collection, asMerged, current, scope, merged);
            return new PushResult.Merged(change.changeId(), w.version(), w.data());
        }
        String name = resolution instanceof Resolution.Defer ? "manual" : resolver.name();
        return new PushResult.Conflict(change.changeId(), current.version(), current.data(), name);
    }

    /**
     * Writes the change as sent: {@code applied}, or {@code merged} with the stored record when the hub filled in
     * fields the replica did not send (the scope field) or a hook transformed it, so the replica stores exactly
     * what the hub holds.
     */
    private PushResult writeAsSent(HubTransaction tx, Principal principal, String clientId,
                                   CollectionSchema collection, Change change, HubRecord current, String scope,
                                   Map<String, Object> sent) {
        Written w = write(tx, principal, clientId, collection, change, current, scope, sent);
        if (w.data() != null && !w.data().equals(change.data())) {
            return new PushResult.Merged(change.changeId(), w.version(), w.data());
        }
        return new PushResult.Applied(change.changeId(), w.version());
    }

    /** What a write stored: its version and the record as the hub keeps and logs it (null for a delete). */
    private record Written(long version, Map<String, Object> data) {
    }

    private Written write(HubTransaction tx, Principal principal, String clientId, CollectionSchema collection,
                       Change change, HubRecord current, String scope, Map<String, Object> data) {
        Map<String, Object> before = current == null ? null : current.data();
        Set<String> changed = RecordDiff.changedFields(before, data);
        Map<String, Object> stored = hooks.beforeStore(new PendingWrite(Role.HUB, collection.name(), change.id(),
                change.op(), before, data, changed, principal));
        if (stored != data) {
            stored = normalized(collection, change.id(), scope, stored);
            List<String> problems = RecordValidator.problems(collection, change.id(), stored);
            if (!problems.isEmpty()) {
                throw new InvalidMerge("a persistence hook produced an invalid record: " + String.join("; ", problems));
            }
            changed = RecordDiff.changedFields(before, stored);
        }
        long version = tx.write(new HubWrite(collection.name(), change.id(), change.op(), stored, scope, changed,
                change.hlc()));
        tx.recordApplied(clientId, change.changeId(), version);
        return new Written(version, stored);
    }

    /**
     * The record as stored: every field of the schema (null when not sent), with the id and scope fields set by the
     * hub. Stored, logged and answered records therefore have one shape whatever store holds them.
     */
    private static Map<String, Object> normalized(CollectionSchema collection, String id, String scope,
                                                  Map<String, Object> data) {
        if (data == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>(data);
        for (io.tether.sync.spi.FieldSchema f : collection.fields()) {
            out.putIfAbsent(f.name(), null);
        }
        out.put(collection.idField(), id);
        if (collection.scopeField() != null) {
            out.put(collection.scopeField(), scope);
        }
        return out;
    }

    private static PushResult rejected(String changeId, RejectReason reason, String message) {
        return new PushResult.Rejected(changeId, reason, message);
    }

    /** A resolver or hook produced a record that does not fit the schema: the change is rejected. */
    private static final class InvalidMerge extends RuntimeException {
        InvalidMerge(String message) {
            super(message);
        }
    }

    // ---- pull

    @Override
    public PullResponse pull(Principal principal, PullRequest request) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(request, "request");
        if (request.limit() < 1) {
            throw new ProblemException(ProblemType.BAD_REQUEST, "limit must be at least 1, was " + request.limit());
        }
        int limit = Math.min(request.limit(), limits.maxPullLimit());
        PullFilter filter = filterFor(principal, request.collections());
        long head = store.headVersion();
        Cursor cursor;
        if (request.cursor() == null) {
            cursor = new Cursor.Snapshot(head, 0, committedMs(head));
        } else {
            cursor = Cursor.decode(request.cursor());
            checkCursor(cursor, head);
        }
        if (cursor instanceof Cursor.Seq seq) {
            List<LogEntry> entries = store.changesSince(seq.version(), head, limit + 1, filter);
            boolean more = entries.size() > limit;
            List<LogEntry> page = more ? entries.subList(0, limit) : entries;
            Cursor next = more ? seqAt(page.get(page.size() - 1)) : atHead(head, page, seq);
            return new PullResponse(delivered(page), Cursor.encode(next), more);
        }
        Cursor.Snapshot snap = (Cursor.Snapshot) cursor;
        List<LogEntry> entries = store.snapshot(snap.after(), snap.upTo(), limit + 1, filter);
        boolean more = entries.size() > limit;
        List<LogEntry> page = more ? entries.subList(0, limit) : entries;
        Cursor next = more ? new Cursor.Snapshot(snap.upTo(), page.get(page.size() - 1).version(), snap.committedMs())
                : new Cursor.Seq(snap.upTo(), snap.committedMs());
        // records that changed while the snapshot was paged moved above upTo: keep going until they are delivered
        boolean changedMeanwhile = !more && store.headVersion() > snap.upTo();
        return new PullResponse(delivered(page), Cursor.encode(next), more || changedMeanwhile);
    }

    /**
     * Refuses a cursor this hub cannot continue: one older than its retained history, and one of a history it no
     * longer has (its data was restored from a backup), which is ahead of its head or marks its version with a commit
     * time other than the one this hub holds there. The latter says where the two histories part.
     */
    private void checkCursor(Cursor cursor, long head) {
        long version = cursor.version();
        long horizon = store.horizon();
        if (version < horizon) {
            throw new ProblemException(ProblemType.CURSOR_EXPIRED, "the cursor is older than the hub's change "
                    + "history (retained from version " + horizon + "); run an initial sync");
        }
        Long marked = cursor.committedMs();
        boolean ahead = version > head;
        if (!ahead && (marked == null || Objects.requireNonNullElse(committedMs(version), marked).equals(marked))) {
            return; // the hub's own (a version whose entry was compacted away cannot tell)
        }
        long shared = marked == null ? head
                : Math.min(head, store.lastVersionCommittedBy(Instant.ofEpochMilli(marked)));
        throw new ProblemException(Problem.historyReset("the cursor is " + (ahead ? "ahead of the hub's change "
                + "history" : "from a change history the hub no longer has") + "; the history it shares with the hub "
                + "ends at version " + shared + " (the hub's data was restored from a backup or reset): push again "
                + "what this hub lacks and run an initial sync", shared, marked == null ? null
                : Instant.ofEpochMilli(marked)));
    }

    /** The commit time the store holds for the change at {@code version}, to mark a cursor with, or null. */
    private Long committedMs(long version) {
        return version == 0 ? null : store.committedAt(version).map(Instant::toEpochMilli).orElse(null);
    }

    /**
     * The cursor at the head after a page that reached it, marked without reading the log again where the page's
     * last entry is the head's, or the request's cursor was at the head and its mark was just checked.
     */
    private Cursor.Seq atHead(long head, List<LogEntry> page, Cursor.Seq from) {
        if (!page.isEmpty() && page.get(page.size() - 1).version() == head) {
            return seqAt(page.get(page.size() - 1));
        }
        if (from.version() == head && from.committedMs() != null) {
            return from;
        }
        return new Cursor.Seq(head, committedMs(head));
    }

    private static Cursor.Seq seqAt(LogEntry entry) {
        return new Cursor.Seq(entry.version(), entry.committedAt().toEpochMilli());
    }

    private PullFilter filterFor(Principal principal, Set<String> requested) {
        Map<String, ScopeSet> byCollection = new LinkedHashMap<>();
        if (requested.isEmpty()) {
            for (CollectionSchema c : schema.collections()) {
                byCollection.put(c.name(), scopes.readable(principal, c));
            }
        } else {
            for (String name : requested) {
                CollectionSchema c = schema.collection(name).orElseThrow(() -> new ProblemException(
                        ProblemType.BAD_REQUEST, "collections names '" + name + "', which does not exist"));
                byCollection.put(name, scopes.readable(principal, c));
            }
        }
        return new PullFilter(byCollection);
    }

    private static List<DeliveredChange> delivered(List<LogEntry> entries) {
        List<DeliveredChange> out = new ArrayList<>(entries.size());
        for (LogEntry e : entries) {
            out.add(e.toDelivered());
        }
        return out;
    }

    // ---- live delivery

    @Override
    public Subscription subscribe(CommitListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (listeners) {
            if (listeners.isEmpty()) {
                feed.listening();
            }
            listeners.add(listener);
        }
        return () -> listeners.remove(listener);
    }

    /** Called by the store context with each committed batch of this node's log entries, in commit order. */
    public void committed(List<LogEntry> entries) {
        feed.committed(entries);
    }

    /**
     * Hands live subscribers what other hub nodes committed to the shared store since the last entries they got
     * (the engine calls this on a timer). Logs a failure instead of throwing.
     */
    public void catchUp() {
        feed.catchUpQuietly();
    }

    /** {@link #catchUp} on the engine's thread, soon: another hub node says it committed. */
    public void catchUpSoon() {
        feed.requestCatchUp();
    }

    private void handOver(List<LogEntry> entries) {
        for (CommitListener l : listeners) {
            try {
                l.onCommit(entries);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "commit listener " + l.getClass().getName() + " failed", e);
            }
        }
    }

    @Override
    public boolean mayRead(Principal principal, LogEntry entry) {
        return schema.collection(entry.collection())
                .map(c -> scopes.readable(principal, c).contains(entry.scope()))
                .orElse(false);
    }

    @Override
    public String cursorAt(long version) {
        return Cursor.encode(new Cursor.Seq(version, committedMs(version)));
    }

    @Override
    public String cursorAt(LogEntry entry) {
        return Cursor.encode(seqAt(entry));
    }
}
