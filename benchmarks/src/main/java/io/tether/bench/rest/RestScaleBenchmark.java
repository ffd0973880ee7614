package io.tether.bench.rest;

import io.tether.sync.HubEngine;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.SyncReport;
import io.tether.sync.Tether;
import io.tether.sync.jpa.JpaHubStore;
import io.tether.sync.jpa.JpaReplicaStore;
import io.tether.sync.rest.JwtAuthenticator;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.rest.RestTransport;
import io.tether.sync.rest.TetherServer;
import io.tether.sync.spi.OutboxState;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import io.tether.sync.spi.Schema;
import io.tether.sync.spi.SyncTransport;
import jakarta.persistence.EntityManagerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The REST benchmark at scale, with the replica's memory capped: a hub in its own JVM (Hibernate on an H2 file,
 * seeded with N entities) and, in this JVM, a fresh Hibernate replica on an H2 file that runs the initial sync of
 * all N records, then creates N entities and pushes them. Run this JVM with {@code -Xmx256m}: the replica's memory
 * must be bounded by the page size, not by the data.
 *
 * <pre>
 * java -Xmx256m -cp ... io.tether.bench.rest.RestScaleBenchmark [records=1000000] [pageSize=5000] [pushBatch=1000]
 *      [phases=initial,push]
 * </pre>
 * The initial sync always runs (the other phases need a caught-up replica); {@code resync} then runs an initial sync
 * again over the records the replica holds, as after {@code cursor-expired}, and {@code push} pushes N new records
 * (printed with what writing them took).
 * {@code warmup} first runs an initial sync and a push of N/10 records on a scratch replica (printed as the cold
 * JVMs' figures), so that the measured phases run with both JVMs' code compiled; the measured initial sync then
 * pulls those N/10 records too.
 */
public final class RestScaleBenchmark {
    private RestScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("hub")) {
            serveHub(Integer.parseInt(args[1]), Path.of(args[2]));
            return;
        }
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int pageSize = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int pushBatch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String phases = args.length > 3 ? args[3] : "initial,push";
        Path dir = Files.createTempDirectory("tether-scale");
        Path ready = dir.resolve("hub.ready");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Xms2g"));
        String hubOptions = System.getProperty("bench.hub.jvm", "").trim(); // e.g. a flight recording of the hub
        if (!hubOptions.isEmpty()) {
            command.addAll(List.of(hubOptions.split("\\s+")));
        }
        for (String passed : List.of("bench.hub.h2", "bench.hub.url")) {
            String value = System.getProperty(passed);
            if (value != null) {
                command.add("-D" + passed + "=" + value);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RestScaleBenchmark.class.getName(), "hub",
                Integer.toString(records), ready.toString()));
        Process hub = new ProcessBuilder(command).inheritIO().start();
        hubProcess = hub.toHandle();
        try {
            long seedStart = System.nanoTime();
            while (!Files.exists(ready)) {
                if (!hub.isAlive()) {
                    throw new IllegalStateException("the hub process exited with " + hub.exitValue());
                }
                Thread.sleep(200);
            }
            List<String> hubInfo = Files.readAllLines(ready, StandardCharsets.UTF_8);
            System.out.printf("hub seeded with %,d records in %.1f s (its own JVM, -Xmx2g -Xms2g); replica max heap %d MiB%n",
                    records, (System.nanoTime() - seedStart) / 1e9, Runtime.getRuntime().maxMemory() >> 20);
            HubLink link = new HubLink(hubInfo.get(0), hubInfo.get(1), pageSize, pushBatch);
            int held = records;
            if (phases.contains("warmup")) {
                // the same work on a scratch replica first, so that the measured phases run on warm JVMs
                int warmPush = records / 10;
                replica(link, dir.resolve("warmup").toString(), held, warmPush, "w", "warm-up, cold JVMs: ",
                        "initial,push");
                held += warmPush;
                System.gc();
            }
            replica(link, dir.resolve("replica").toString(), held, records, "p", "", phases);
        } finally {
            hub.destroy();
            hub.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Syncs a fresh replica of {@code held} records, then runs the other phases; the push creates {@code pushed}
     * entities whose ids start with {@code prefix}. Each line printed starts with {@code label}.
     */
    private static void replica(HubLink link, String file, int held, int pushed, String prefix, String label,
                                String phases) {
        // bench.replica.h2: settings appended to the replica's H2 URL, for example ";WRITE_DELAY=100"
        EntityManagerFactory db = RestJpaBenchmark.database("replica", "jdbc:h2:file:" + file
                + System.getProperty("bench.replica.h2", ""));
        try (JpaReplicaStore store = new JpaReplicaStore(db);
             ReplicaEngine replica = link.replica(store)) {
            Phase phase = Phase.start();
            SyncReport initial = replica.syncNow();
            double seconds = phase.seconds();
            RestSyncBenchmark.check(initial.pulled() == held, "pulled " + initial.pulled());
            System.out.printf("%sinitial sync: %,d records in %.1f s = %,.0f records/s (%s)%n",
                    label, held, seconds, held / seconds, phase.usage(seconds));
            if (phases.contains("resync")) {
                // what a replica does after cursor-expired: an initial sync over the records it holds
                store.inTransaction(tx -> {
                    tx.setCursor(null);
                    return null;
                });
                phase = Phase.start();
                SyncReport resync = replica.syncNow();
                seconds = phase.seconds();
                long holding = store.count("items");
                RestSyncBenchmark.check(resync.pulled() == held && holding == held,
                        "pulled " + resync.pulled() + ", holding " + holding);
                System.out.printf("%sresync over %,d held records: %.1f s = %,.0f records/s (%s)%n",
                        label, held, seconds, held / seconds, phase.usage(seconds));
            }
            if (!phases.contains("push")) {
                return;
            }

            phase = Phase.start();
            RestJpaBenchmark.persist(db, prefix, pushed);
            double writing = phase.seconds();
            String writes = String.format("%.1f s (%s)", writing, phase.usage(writing));
            FIRST_PUSH.set(0);
            phase = Phase.start();
            SyncReport push = replica.syncNow(); // folds the capture journal into the outbox as it pushes
            seconds = phase.seconds();
            double firstRequest = (FIRST_PUSH.get() - phase.startNanos()) / 1e9;
            long left = store.outboxCount(EnumSet.allOf(OutboxState.class));
            RestSyncBenchmark.check(push.pushed() == pushed && left == 0, "pushed " + push.pushed() + ", left " + left);
            System.out.printf("%spush: %,d changes in %.1f s = %,.0f changes/s, the capture journal's fold included, "
                    + "the first request after %.2f s (%s); the writes before it took %s%n", label, pushed, seconds,
                    pushed / seconds, firstRequest, phase.usage(seconds), writes);
        } finally {
            db.close();
        }
    }

    /** The hub process's address and token, and the page and batch sizes every replica of a run syncs with. */
    private record HubLink(String url, String token, int pageSize, int pushBatch) {
        ReplicaEngine replica(JpaReplicaStore store) {
            SyncTransport rest = RestTransport.builder(URI.create(url)).token(token).schemaVersion(1)
                    .requestTimeout(Duration.ofSeconds(300)).build();
            return Tether.replica().store(store).transport(new FirstPushNoted(rest))
                    .pollInterval(Duration.ZERO).debounce(Duration.ZERO).pullPageSize(pageSize)
                    .pushBatchSize(pushBatch).build().start();
        }
    }

    /** When the push's first request went out (0: not yet). */
    private static final AtomicLong FIRST_PUSH = new AtomicLong();

    /** The REST transport, noting when a phase's first push request goes out. */
    private record FirstPushNoted(SyncTransport rest) implements SyncTransport {
        @Override
        public PushResponse push(PushRequest request) {
            FIRST_PUSH.compareAndSet(0, System.nanoTime());
            return rest.push(request);
        }

        @Override
        public PullResponse pull(PullRequest request) {
            return rest.pull(request);
        }

        @Override
        public Schema schema() {
            return rest.schema();
        }

        @Override
        public void close() {
            rest.close();
        }
    }

    /** The hub's JVM, whose CPU time each phase reports. */
    private static ProcessHandle hubProcess;

    /** The CPU time the hub's JVM has used so far, all its threads; 0 where the platform does not tell. */
    private static long hubCpuSoFar() {
        return hubProcess == null ? 0 : hubProcess.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /**
     * The CPU time a JVM's JIT compiler threads have used so far, from Linux's per-thread accounting (in clock
     * ticks of 10 ms); 0 where the platform does not tell or there is no such JVM. On a cold JVM of this benchmark
     * they take a sizeable part of the two cores.
     */
    private static long compilingSoFar(ProcessHandle process) {
        if (process == null) {
            return 0;
        }
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return ticks * 10_000_000L;
    }

    /**
     * One measured phase: its wall time, what the replica's JVM and its store threads spent on it, and the CPU time
     * of the hub's JVM; for both JVMs, the part their JIT compilers took.
     */
    private record Phase(long startNanos, long cpuNanos, long gcMillis, Map<Long, Long> threadCpuNanos,
                         long hubCpuNanos, long compilingNanos, long hubCompilingNanos) {
        static Phase start() {
            RestSyncBenchmark.resetPeak();
            return new Phase(System.nanoTime(), RestSyncBenchmark.processCpuNanos(), RestSyncBenchmark.gcMillis(),
                    storeThreadsCpu(), hubCpuSoFar(), compilingSoFar(ProcessHandle.current()),
                    compilingSoFar(hubProcess));
        }

        double seconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        /**
         * The replica JVM's peak heap, cores kept busy (GC and JIT included), time spent collecting and compiling,
         * and the CPU time of the threads that run store transactions (the engine's store worker and the background
         * journal fold); the hub JVM's CPU time and the part of it compiling.
         */
        String usage(double seconds) {
            long storeCpu = 0;
            for (var thread : storeThreadsCpu().entrySet()) {
                storeCpu += thread.getValue() - threadCpuNanos.getOrDefault(thread.getKey(), 0L);
            }
            return String.format("replica: peak heap %d MiB, %.2f cores busy, %.1f s in GC, %.1f s compiling, %.1f s "
                    + "CPU in store threads; hub: %.1f s CPU, %.1f s of it compiling", RestSyncBenchmark.peakHeapMiB(),
                    RestSyncBenchmark.coresBusy(cpuNanos, seconds), (RestSyncBenchmark.gcMillis() - gcMillis) / 1e3,
                    (compilingSoFar(ProcessHandle.current()) - compilingNanos) / 1e9, storeCpu / 1e9,
                    (hubCpuSoFar() - hubCpuNanos) / 1e9, (compilingSoFar(hubProcess) - hubCompilingNanos) / 1e9);
        }

        private static Map<Long, Long> storeThreadsCpu() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> cpu = new HashMap<>();
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && (info.getThreadName().endsWith("-store")
                        || info.getThreadName().equals("tether-jpa-fold"))) {
                    cpu.put(info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
                }
            }
            return cpu;
        }
    }

    /** Records seeded between two {@code ANALYZE}s of a hub on PostgreSQL. */
    private static final int SEED_PART = 50_000;

    private static void serveHub(int records, Path ready) throws IOException, InterruptedException {
        String secret = JwtIssuer.randomSecret();
        String token = new JwtIssuer(secret).issue("bench", Duration.ofHours(4));
        Path file = Files.createTempDirectory("tether-scale-hub").resolve("hub");
        // bench.hub.url: the hub's database instead of an H2 file, for example a PostgreSQL schema of its own:
        // jdbc:postgresql://127.0.0.1:5432/test?currentSchema=bench&user=postgres (its tables are dropped and created)
        // bench.hub.h2: settings appended to the hub's H2 URL, for example ";CACHE_SIZE=524288"
        String url = System.getProperty("bench.hub.url",
                "jdbc:h2:file:" + file + System.getProperty("bench.hub.h2", ""));
        EntityManagerFactory db = RestJpaBenchmark.database("hub", url);
        JpaHubStore store = new JpaHubStore(db);
        try (HubEngine hub = Tether.hub().store(store).authenticator(JwtAuthenticator.hs256(secret).build())
                .build().start();
             TetherServer server = TetherServer.builder().hub(hub.service()).host("127.0.0.1").port(0).build()
                     .start()) {
            if (url.startsWith("jdbc:postgresql")) {
                // analyzed as the tables grow, as autovacuum does (the store warns when it is off: docs/jpa.md)
                for (int seeded = 0; seeded < records; seeded += SEED_PART) {
                    RestJpaBenchmark.persist(db, "h", seeded, Math.min(records, seeded + SEED_PART));
                    RestJpaBenchmark.inTransaction(db, em -> em.createNativeQuery("analyze synceditem, "
                            + "tether_hub_record, tether_change_log, tether_dedup_run, tether_hub_state")
                            .executeUpdate());
                }
            } else {
                RestJpaBenchmark.persist(db, "h", records);
            }
            Path tmp = ready.resolveSibling("hub.tmp");
            Files.write(tmp, List.of(server.uri().toString(), token), StandardCharsets.UTF_8);
            Files.move(tmp, ready);
            server.join();
        } finally {
            store.close();
            db.close();
        }
    }
}
