package io.tether.bench.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.Operation;
import io.tether.sync.Tether;
import io.tether.sync.core.MemoryHubStore;
import io.tether.sync.core.MemoryStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.spi.Change;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.PushResult;
import io.tether.sync.spi.SyncTransport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the REST layer costs: initial-sync paging and pushing through {@link RestTransport} over HTTP on 127.0.0.1
 * against the same hub called in-process, hub on the in-memory store. No replica store is involved, so the
 * numbers are the transport's and the hub's, not a replica store's apply speed.
 *
 * <pre>
 * java -cp ... io.tether.bench.rest.RestTransportBenchmark [records=100000] [pageSize=5000] [pushBatch=1000]
 * </pre>
 */
public final class RestTransportBenchmark {
    private RestTransportBenchmark() {
    }

    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int pageSize = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int pushBatch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String secret = JwtIssuer.randomSecret();
        String token = new JwtIssuer(secret).issue("alice", Duration.ofHours(2));
        MemoryHubStore hubStore = MemoryStore.hub();
        try (HubEngine hub = Tether.hub().store(hubStore).collection(RestSyncBenchmark.TASKS)
                .authenticator(JwtAuthenticator.hs256(secret).build()).build().start();
             TetherServer server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).build()
                     .start();
             RestTransport http = RestTransport.builder(server.uri()).token(token).schemaVersion(1)
                     .requestTimeout(Duration.ofSeconds(60)).build()) {
            for (int i = 0; i < records; i++) {
                hubStore.put("tasks", "h" + i, RestSyncBenchmark.task("h" + i, i));
            }
            SyncTransport local = new Direct(hub.service(), Principal.of("alice"));
            System.out.printf("transport benchmark (hub on memory store): %,d records, page %d, push batch %d%n",
                    records, pageSize, pushBatch);
            for (int run = 1; run <= 2; run++) { // run 1 warms up the JIT
                report("initial sync  in-process  run " + run, records, initialSync(local, pageSize, records), "records");
                report("initial sync  HTTP        run " + run, records, initialSync(http, pageSize, records), "records");
            }
            for (int run = 1; run <= 2; run++) {
                report("push          in-process  run " + run, records, push(local, records, pushBatch), "changes");
                report("push          HTTP        run " + run, records, push(http, records, pushBatch), "changes");
            }
        }
    }

    static void report(String what, int n, double seconds, String unit) {
        System.out.printf("%s: %,d %s in %.2f s = %,.0f %s/s%n", what, n, unit, seconds, n / seconds, unit);
    }

    static double initialSync(SyncTransport transport, int pageSize, int expected) {
        long start = System.nanoTime();
        String cursor = null;
        long delivered = 0;
        PullResponse page;
        do {
            page = transport.pull(PullRequest.from(cursor, pageSize));
            delivered += page.changes().size();
            cursor = page.cursor();
        } while (page.hasMore());
        double seconds = (System.nanoTime() - start) / 1e9;
        RestSyncBenchmark.check(delivered >= expected, "delivered " + delivered + " of " + expected);
        return seconds;
    }

    static double push(SyncTransport transport, int records, int batch) {
        String clientId = UUID.randomUUID().toString();
        long start = System.nanoTime();
        long seq = 0;
        for (int from = 0; from < records; from += batch) {
            List<Change> changes = new ArrayList<>(batch);
            for (int i = from; i < Math.min(records, from + batch); i++) {
                String id = clientId.substring(0, 8) + "-" + i;
                changes.add(new Change(Change.changeId(clientId, ++seq), "tasks", id, Operation.UPSERT,
                        RestSyncBenchmark.task(id, i), null, null, null));
            }
            PushResponse response = transport.push(new PushRequest(clientId, changes));
            for (PushResult r : response.results()) {
                if (!(r instanceof PushResult.Applied)) { // the message only when it fails: a toString per change costs
                    RestSyncBenchmark.check(false, r.toString());
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The hub called directly, as one principal: the baseline without HTTP and JSON. */
    record Direct(HubService hub, Principal principal) implements SyncTransport {
        public PushResponse push(PushRequest request) {
            return hub.push(principal, request);
        }

        public PullResponse pull(PullRequest request) {
            return hub.pull(principal, request);
        }

        public io.tether.sync.spi.Schema schema() {
            return hub.schema();
        }
    }
}
