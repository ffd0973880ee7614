package io.tether.sync.rest;

import io.tether.sync.Operation;
import io.tether.sync.ProblemException;
import io.tether.sync.Subscription;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.FieldType;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A scripted {@link HubService} that records what the servlet hands it, for servlet tests without the engine. */
class FakeHub implements HubService {
    static final Schema SCHEMA = new Schema(1, List.of(CollectionSchema.builder("tasks").scopeField("owner_id")
            .field("title", FieldType.STRING, false).field("done", FieldType.BOOLEAN, false).build()));

    final List<PushRequest> pushes = new CopyOnWriteArrayList<>();
    final List<PullRequest> pulls = new CopyOnWriteArrayList<>();
    volatile HubLimits limits = HubLimits.DEFAULT;
    volatile int pageSize = 3;
    volatile Supplier<RuntimeException> failure;

    @Override
    public Principal authenticate(String bearerToken) {
        return switch (bearerToken) {
            case "alice-token" -> Principal.of("alice");
            case "bob-token" -> Principal.of("bob");
            default -> throw new ProblemException(ProblemType.UNAUTHORIZED, "token signature is invalid");
        };
    }

    @Override
    public void checkSchemaVersion(Integer replicaVersion) {
        if (replicaVersion != null && replicaVersion != 1) {
            throw new ProblemException(ProblemType.SCHEMA_MISMATCH,
                    "this hub serves schema version 1, the replica has " + replicaVersion);
        }
    }

    @Override
    public PushResponse push(Principal principal, PushRequest request) {
        failIfScripted();
        pushes.add(request);
        List<PushResult> results = new ArrayList<>();
        long v = 100;
        for (Change c : request.changes()) {
            results.add(new PushResult.Applied(c.changeId(), ++v));
        }
        return new PushResponse(results, "c2VxOjEwMA");
    }

    @Override
    public PullResponse pull(Principal principal, PullRequest request) {
        failIfScripted();
        if ("expired".equals(request.cursor())) {
            throw new ProblemException(ProblemType.CURSOR_EXPIRED, "cursor is older than the hub's retention");
        }
        pulls.add(request);
        List<DeliveredChange> changes = new ArrayList<>();
        for (int i = 1; i <= pageSize; i++) {
            changes.add(new DeliveredChange("tasks", "t-" + i, Operation.UPSERT, i,
                    Map.of("id", "t-" + i, "title", "task number " + i + " of " + principal.name(), "done", false,
                            "owner_id", principal.name())));
        }
        return new PullResponse(changes, "c2VxOjM", false);
    }

    private void failIfScripted() {
        Supplier<RuntimeException> f = failure;
        if (f != null) {
            throw f.get();
        }
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public HubLimits limits() {
        return limits;
    }

    @Override
    public Subscription subscribe(CommitListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean mayRead(Principal principal, LogEntry entry) {
        return true;
    }

    @Override
    public String cursorAt(long version) {
        return "seq:" + version;
    }
}
