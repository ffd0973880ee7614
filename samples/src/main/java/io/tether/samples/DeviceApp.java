package io.tether.samples;

import com.nimbusds.jwt.SignedJWT;
import io.tether.samples.domain.Project;
import io.tether.samples.domain.SampleDatabase;
import io.tether.samples.domain.Task;
import io.tether.sync.ChangeEvent;
import io.tether.sync.Operation;
import io.tether.sync.Origin;
import io.tether.sync.ReplicaEngine;
import io.tether.sync.Subscription;
import io.tether.sync.SyncException;
import io.tether.sync.SyncReport;
import io.tether.sync.SyncStatus;
import io.tether.sync.Tether;
import io.tether.sync.jpa.JpaReplicaStore;
import io.tether.sync.rest.JwtIssuer;
import io.tether.sync.spi.OutboxEntry;
import io.tether.sync.spi.OutboxState;
import jakarta.persistence.EntityManager;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.text.ParseException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The sample device: the sample domain on Hibernate over its own H2 database, a {@link JpaReplicaStore}, and a
 * replica engine that reaches the hub over REST (and WebSocket when plugin-websocket is on the class path). The
 * application writes {@link Task} entities with plain JPA; Tether captures every committed write.
 *
 * <pre>{@code
 * try (DeviceApp device = DeviceApp.open(new DeviceApp.Settings(URI.create("http://localhost:8080"), "alice",
 *         token, "./tether-device-alice", Duration.ofSeconds(10), Duration.ofMillis(500)))) {
 *     String id = device.add("Buy milk");
 *     device.engine().syncNow();
 * }
 * }</pre>
 */
public final class DeviceApp implements AutoCloseable {
    static final Set<String> OPTIONS = Set.of("hub", "user", "jwt-secret", "token", "db", "db-user", "db-password",
            "poll");
    static final String HELP = String.join("\n",
            "Commands:",
            "  add <title>          create a task",
            "  done <id>            mark a task done",
            "  edit <id> <title>    rename a task",
            "  delete <id>          delete a task",
            "  list                 the tasks on this device (* = not synced yet)",
            "  sync                 push local changes and pull the hub's now",
            "  status               pending changes, conflicts, last sync",
            "  offline / online     pause / resume uploads and downloads",
            "  help                 this list",
            "  quit                 close the device and exit");

    private final Settings settings;
    private final SampleDatabase database;
    private final JpaReplicaStore store;
    private final ReplicaEngine engine;
    private boolean closed;

    /**
     * What to open.
     *
     * @param hub          the hub's base URL
     * @param user         the principal (for messages and the default database name)
     * @param token        the bearer token sent to the hub
     * @param db           as for {@link SampleDatabase#open}: an H2 file path by default, {@code mem}, a JDBC URL
     * @param pollInterval periodic sync; {@link Duration#ZERO} syncs only on demand
     * @param debounce     sync this long after a local write; {@link Duration#ZERO} turns it off
     */
    public record Settings(URI hub, String user, String token, String db, Duration pollInterval, Duration debounce) {
        public Settings {
            Objects.requireNonNull(hub, "hub");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(debounce, "debounce");
        }
    }

    private DeviceApp(Settings settings, SampleDatabase database, JpaReplicaStore store, ReplicaEngine engine) {
        this.settings = settings;
        this.database = database;
        this.store = store;
        this.engine = engine;
    }

    /** Opens the database and starts the engine (it does not sync yet). On failure everything is closed again. */
    public static DeviceApp open(Settings settings) {
        return open(settings, null, null);
    }

    static DeviceApp open(Settings settings, String dbUser, String dbPassword) {
        SampleDatabase database = SampleDatabase.open(settings.db(), dbUser, dbPassword);
        JpaReplicaStore store = null;
        try {
            store = new JpaReplicaStore(database.factory());
            ReplicaEngine engine = Tether.replica()
                    .store(store)
                    .schema(store.schema())
                    .plugin(Transports.replicaPlugin())
                    .properties(Transports.replicaProperties(settings.hub().toString(), settings.token()))
                    .pollInterval(settings.pollInterval())
                    .debounce(settings.debounce())
                    .retryBackoff(Duration.ofMillis(500), Duration.ofSeconds(30))
                    .build()
                    .start();
            return new DeviceApp(settings, database, store, engine);
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            database.close();
            throw e;
        }
    }

    public Settings settings() {
        return settings;
    }

    public ReplicaEngine engine() {
        return engine;
    }

    public JpaReplicaStore store() {
        return store;
    }

    public SampleDatabase database() {
        return database;
    }

    /** Creates a task with a fresh id; returns the id. */
    public String add(String title) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        add(id, title, null);
        return id;
    }

    /** Creates a task with this id, in the project with id {@code projectId} (null for none). */
    public void add(String id, String title, String projectId) {
        database.transaction(em -> {
            Task task = new Task(id, title);
            if (projectId != null) {
                task.setProject(em.getReference(Project.class, projectId));
            }
            em.persist(task);
        });
    }

    /** Creates a project. */
    public void addProject(String id, String name) {
        database.transaction(em -> em.persist(new Project(id, name)));
    }

    /** Changes a task in one transaction; false when there is no such task. */
    public boolean update(String id, Consumer<Task> change) {
        return database.inTransaction(em -> {
            Task task = em.find(Task.class, id);
            if (task == null) {
                return false;
            }
            change.accept(task);
            return true;
        });
    }

    /** Deletes a task; false when there is no such task. */
    public boolean delete(String id) {
        return database.inTransaction(em -> {
            Task task = em.find(Task.class, id);
            if (task == null) {
                return false;
            }
            em.remove(task);
            return true;
        });
    }

    /** The tasks, ordered by id (projects fetched with them). */
    public List<Task> tasks() {
        return database.inTransaction(DeviceApp::allTasks);
    }

    private static List<Task> allTasks(EntityManager em) {
        return em.createQuery("select t from Task t left join fetch t.project order by t.id", Task.class)
                .getResultList();
    }

    /** Ids of records with a local change the hub has not acknowledged. */
    Set<String> unsynced() {
        Set<String> ids = new HashSet<>();
        for (OutboxEntry e : store.outbox(EnumSet.allOf(OutboxState.class), 100_000)) {
            ids.add(e.id());
        }
        return ids;
    }

    /** Pauses uploads and downloads: local writes wait in the outbox. */
    public void offline() {
        engine.pauseUploads();
        engine.pauseDownloads();
    }

    /** Resumes uploads and downloads. */
    public void online() {
        engine.resumeUploads();
        engine.resumeDownloads();
    }

    /** Closes the engine, then the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close();
        } finally {
            store.close();
            database.close();
        }
    }

    /**
     * Reads commands until {@code quit} or the end of input. With {@code prompt} (a terminal) it shows a prompt
     * and announces changes that arrive from the hub in the background (periodic sync or live delivery).
     */
    public void run(BufferedReader in, PrintStream out, boolean prompt) throws IOException {
        Subscription announcements = prompt ? engine.onChange(batch -> {
            if (batch.origin() == Origin.REMOTE && !batch.changes().isEmpty()) {
                StringBuilder b = new StringBuilder("\n(from the hub:");
                for (ChangeEvent e : batch.changes()) {
                    b.append(' ').append(e.op() == Operation.DELETE ? "-" : "").append(e.collection()).append('/')
                            .append(e.id());
                }
                out.print(b.append(")\n").append(settings.user()).append("> "));
                out.flush();
            }
        }) : null;
        try {
            while (true) {
                if (prompt) {
                    out.print(settings.user() + "> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || !execute(line, out)) {
                    return;
                }
            }
        } finally {
            if (announcements != null) {
                announcements.close();
            }
        }
    }

    /** Runs one command line and prints its outcome; returns false for {@code quit}. */
    public boolean execute(String line, PrintStream out) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return true;
        }
        String[] parts = trimmed.split("\\s+", 2);
        String command = parts[0].toLowerCase(Locale.ROOT);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        try {
            switch (command) {
                case "add" -> {
                    if (arg.isEmpty()) {
                        out.println("usage: add <title>");
                    } else {
                        String id = add(arg);
                        out.println("added " + id + " " + arg);
                    }
                }
                case "done" -> changeTask(arg, "done <id>", t -> t.setDone(true), out, "done");
                case "edit" -> {
                    String[] idAndTitle = arg.split("\\s+", 2);
                    if (idAndTitle.length < 2 || idAndTitle[1].isBlank()) {
                        out.println("usage: edit <id> <title>");
                    } else {
                        changeTask(idAndTitle[0], "edit <id> <title>", t -> t.setTitle(idAndTitle[1].strip()), out,
                                "renamed");
                    }
                }
                case "delete" -> {
                    if (arg.isEmpty()) {
                        out.println("usage: delete <id>");
                    } else {
                        out.println(delete(arg) ? "deleted " + arg : "no task " + arg);
                    }
                }
                case "list" -> list(out);
                case "sync" -> {
                    SyncReport r = engine.syncNow();
                    out.println("synced: pushed " + r.pushed() + ", pulled " + r.pulled() + ", conflicts "
                            + r.conflicts() + ", rejected " + r.rejected());
                }
                case "status" -> status(out);
                case "offline" -> {
                    offline();
                    out.println("offline: edits wait in the outbox; nothing is sent or received");
                }
                case "online" -> {
                    online();
                    out.println("online: type sync to sync now (or wait for the next periodic sync)");
                }
                case "help", "?" -> out.println(HELP);
                case "quit", "exit" -> {
                    return false;
                }
                default -> out.println("unknown command '" + command + "'; type help");
            }
        } catch (SyncException e) {
            out.println("sync failed: " + e.getMessage());
        } catch (RuntimeException e) {
            out.println("error: " + e.getMessage());
        }
        out.flush();
        return true;
    }

    private void changeTask(String id, String usage, Consumer<Task> change, PrintStream out, String verb) {
        if (id.isEmpty()) {
            out.println("usage: " + usage);
        } else {
            out.println(update(id, change) ? verb + " " + id : "no task " + id);
        }
    }

    private void list(PrintStream out) {
        List<Task> tasks = tasks();
        Set<String> unsynced = unsynced();
        if (tasks.isEmpty()) {
            out.println("(no tasks)");
        }
        for (Task t : tasks) {
            StringBuilder line = new StringBuilder();
            line.append(unsynced.contains(t.getId()) ? "* " : "  ").append(t.getId()).append("  [")
                    .append(t.isDone() ? 'x' : ' ').append("] ").append(t.getTitle());
            if (t.getPriority() != null) {
                line.append("  priority ").append(t.getPriority());
            }
            if (t.getDue() != null) {
                line.append("  due ").append(t.getDue());
            }
            if (t.getProject() != null) {
                line.append("  (").append(t.getProject().getName()).append(')');
            }
            out.println(line);
        }
    }

    private void status(PrintStream out) {
        SyncStatus s = engine.status();
        out.println("pending " + s.pendingChanges() + ", rejected " + s.rejectedChanges() + ", conflicts "
                + s.openConflicts() + "; uploads " + (s.uploadsPaused() ? "paused" : "on") + ", downloads "
                + (s.downloadsPaused() ? "paused" : "on") + ", live " + (s.live() ? "yes" : "no") + "; last sync "
                + s.lastSuccessTime().map(Object::toString).orElse("never")
                + s.lastErrorMessage().map(e -> "; last error: " + e).orElse(""));
    }

    /**
     * {@code device --hub URL (--user U --jwt-secret S | --token T) [--db path|mem|jdbc-url] [--poll PT10S]}:
     * opens the device and runs the command loop on {@code in} until {@code quit} or the end of input.
     */
    static int run(String[] args, BufferedReader in, PrintStream out, boolean interactive) throws IOException {
        Options o = Options.parse("device", args, OPTIONS);
        String hubUrl = o.require("hub");
        URI hub;
        try {
            hub = new URI(hubUrl);
        } catch (URISyntaxException e) {
            throw new UsageException("device: --hub is not a URL: '" + hubUrl + "'.");
        }
        if (!"http".equals(hub.getScheme()) && !"https".equals(hub.getScheme()) || hub.getHost() == null) {
            throw new UsageException("device: --hub must be the hub's http:// or https:// URL, such as"
                    + " http://localhost:8080; was '" + hubUrl + "'.");
        }
        String token;
        String user;
        if (o.get("token").isPresent()) {
            if (o.get("jwt-secret").isPresent()) {
                throw new UsageException("device: give either --token or --jwt-secret, not both.");
            }
            token = o.get("token").get();
            user = o.get("user").orElseGet(() -> subject(token));
        } else {
            String secret = o.get("jwt-secret").orElseThrow(() -> new UsageException(
                    "device: give --user and --jwt-secret (the hub's), or --token."));
            user = o.require("user");
            HubApp.checkSecret("device", secret);
            token = new JwtIssuer(secret).issue(user, Duration.ofHours(12));
        }
        if (!user.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new UsageException("device: --user must be 1 to 64 letters, digits or ._@-; was '" + user + "'.");
        }
        String db = o.get("db", "./tether-device-" + user);
        HubApp.checkDb("device", db);
        Duration poll = o.get("poll").isPresent() ? o.duration("poll", null) : Duration.ofSeconds(10);
        Settings settings = new Settings(hub, user, token, db, poll, Duration.ofMillis(500));
        try (DeviceApp device = open(settings, o.get("db-user").orElse(null), o.get("db-password").orElse(null))) {
            out.println("Device of " + user + " on " + device.database().description() + ", hub " + hub + " over "
                    + (Transports.live() ? "WebSocket (HTTP fallback)" : "REST") + ". Type help for commands.");
            device.run(in, out, interactive);
            long pending = device.engine().status().pendingChanges();
            if (pending > 0) {
                out.println(pending + " local change(s) wait in the outbox; they are sent at the next start.");
            }
        }
        out.println("bye");
        return 0;
    }

    private static String subject(String token) {
        try {
            String sub = SignedJWT.parse(token).getJWTClaimsSet().getSubject();
            if (sub != null) {
                return sub;
            }
        } catch (ParseException e) {
            throw new UsageException("device: --token is not a JWT: " + e.getMessage());
        }
        throw new UsageException("device: --token has no sub claim; add --user.");
    }
}
