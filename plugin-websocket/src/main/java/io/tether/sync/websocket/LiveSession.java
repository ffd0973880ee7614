package io.tether.sync.websocket;

import io.tether.sync.ProblemException;
import io.tether.sync.spi.DeliveredChange;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.LiveMessage;
import io.tether.sync.spi.LogEntry;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One hub-side socket (PROTOCOL.md section 7): waits for {@code hello}, catches up by pulling pages from the
 * client's cursor, then serves live changes from the shared {@link LiveLog}. At most {@code window}
 * unacknowledged {@code changes} messages are ever outstanding, so what this socket holds is bounded whatever its
 * peer does. Message handling runs on the container's thread for this socket; page production ("the pump") runs
 * on the hub's pump threads, one run at a time per socket. Never blocks the committing thread.
 */
final class LiveSession {
    private static final System.Logger LOG = System.getLogger(LiveSession.class.getName());

    enum Phase { HELLO, CATCHUP, LIVE, CLOSED }

    private final LiveHub hub;
    private final Session socket;
    private final long openedAt = System.nanoTime();
    private final AtomicInteger wakes = new AtomicInteger();
    private volatile long lastHeard = openedAt;

    // guarded by this
    private Phase phase = Phase.HELLO;
    private Principal principal;
    private String clientId;
    private String cursor;
    private long position;
    private final ArrayDeque<String> unacked = new ArrayDeque<>(4);
    private final ArrayDeque<String> outbox = new ArrayDeque<>(4);
    private boolean sending;
    private CloseReason closeAfterFlush;
    private long windowFullSince;
    private long queuedChars;

    LiveSession(LiveHub hub, Session socket) {
        this.hub = hub;
        this.socket = socket;
    }

    // ---- messages from the client (the container's thread for this socket)

    void onText(String text) {
        heard();
        Phase p;
        synchronized (this) {
            p = phase;
        }
        if (p == Phase.CLOSED) {
            return;
        }
        LiveMessage message;
        String fastAck = p == Phase.HELLO ? null : canonicalAck(text);
        if (fastAck != null) {
            onAck(fastAck);
            return;
        }
        try {
            message = hub.codec().readLiveMessage(text);
        } catch (ProblemException e) {
            sendError(e.problem());
            if (p == Phase.HELLO) {
                closeAfterFlush(4400, "the first message must be a valid hello");
            }
            return;
        }
        try {
            if (p == Phase.HELLO) {
                if (message instanceof LiveMessage.Hello hello) {
                    onHello(hello);
                } else {
                    sendError(Problem.badRequest("the first message must be 'hello', was '" + message.type() + "'",
                            List.of()));
                    closeAfterFlush(4400, "the first message must be hello");
                }
            } else if (message instanceof LiveMessage.Ack ack) {
                onAck(ack.cursor());
            } else if (message instanceof LiveMessage.Push push) {
                onPush(push, text);
            } else if (message instanceof LiveMessage.Hello) {
                sendError(Problem.badRequest("'hello' was already received on this socket", List.of()));
            } else {
                sendError(Problem.badRequest("the hub does not accept '" + message.type()
                        + "' messages; a client sends hello, push and ack", List.of()));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "live socket failed handling a '" + message.type() + "' message", e);
            sendError(Problem.of(ProblemType.INTERNAL, "the hub failed handling the message"));
            closeAfterFlush(CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode(), "internal error");
        }
    }

    private static final String ACK_PREFIX = "{\"type\":\"ack\",\"cursor\":\"";

    /**
     * The cursor of an ack in exactly the form clients write it ({@code {"type":"ack","cursor":"<base64url>"}}),
     * read without the general parser because every page is acknowledged; null for any other text, which then
     * goes through the strict codec.
     */
    static String canonicalAck(String text) {
        int n = text.length();
        if (n <= ACK_PREFIX.length() + 2 || n > ACK_PREFIX.length() + 2 + 100 || !text.startsWith(ACK_PREFIX)
                || text.charAt(n - 1) != '}' || text.charAt(n - 2) != '"') {
            return null;
        }
        for (int i = ACK_PREFIX.length(); i < n - 2; i++) {
            char c = text.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return null;
            }
        }
        return text.substring(ACK_PREFIX.length(), n - 2);
    }

    void onBinary(ByteBuffer ignored) {
        heard();
        Phase p;
        synchronized (this) {
            p = phase;
        }
        sendError(Problem.badRequest("messages are JSON text; binary messages are not accepted", List.of()));
        if (p == Phase.HELLO) {
            closeAfterFlush(4400, "the first message must be hello");
        }
    }

    void heard() {
        lastHeard = System.nanoTime();
    }

    private void onHello(LiveMessage.Hello hello) {
        HubService service = hub.service();
        Principal who;
        try {
            who = service.authenticate(hello.token());
        } catch (ProblemException e) {
            sendError(e.problem());
            closeAfterFlush(e.type() == ProblemType.UNAUTHORIZED ? 4401 : 4400, "not authenticated");
            return;
        }
        try {
            service.checkSchemaVersion(hello.schemaVersion());
        } catch (ProblemException e) {
            sendError(e.problem());
            closeAfterFlush(e.type() == ProblemType.SCHEMA_MISMATCH ? 4409 : 4400, "schema version not served");
            return;
        }
        synchronized (this) {
            if (phase != Phase.HELLO) {
                return;
            }
            principal = who;
            clientId = hello.clientId();
            cursor = hello.cursor();
            phase = Phase.CATCHUP;
            enqueue(hub.codec().writeLiveMessage(new LiveMessage.Welcome(hello.cursor())), null);
        }
        flush();
        wake();
    }

    private void onAck(String acked) {
        boolean wasFull;
        synchronized (this) {
            wasFull = unacked.size() >= hub.window();
            if (!unacked.contains(acked)) {
                enqueue(errorText(Problem.badRequest("ack names a cursor this socket has not sent or that was"
                        + " already acknowledged", List.of())), null);
            } else {
                while (!unacked.pollFirst().equals(acked)) {
                    // drops every message up to the acknowledged one
                }
                windowFullSince = 0;
            }
        }
        flush();
        if (wasFull) {
            wake();
        }
    }

    private void onPush(LiveMessage.Push push, String text) {
        long maxBytes = hub.service().limits().maxPushBytes();
        if ((long) text.length() * 3 > maxBytes && text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            sendError(Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "a push may hold at most " + maxBytes
                    + " bytes; nothing was applied"));
            return;
        }
        Principal who;
        String id;
        synchronized (this) {
            who = principal;
            id = clientId;
        }
        PushResponse response;
        try {
            response = hub.service().push(who, new PushRequest(id, push.changes()));
        } catch (ProblemException e) {
            sendError(e.problem());
            return;
        }
        send(hub.codec().writeLiveMessage(new LiveMessage.PushResult(push.requestId(), response.results(),
                response.cursor())));
    }

    // ---- the pump: catch-up pages, then live changes, within the window

    void wake() {
        if (wakes.getAndIncrement() == 0) {
            try {
                hub.pumps().execute(this::runPump);
            } catch (RejectedExecutionException e) {
                wakes.set(0);
            }
        }
    }

    /** Pumps on the calling thread unless a pump run is already under way or queued. */
    void pumpHere() {
        if (wakes.getAndIncrement() == 0) {
            runPump();
        }
    }

    private void runPump() {
        do {
            wakes.set(1);
            try {
                pump();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "live socket pump failed", e);
                sendError(Problem.of(ProblemType.INTERNAL, "the hub failed preparing changes"));
                closeAfterFlush(CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode(), "internal error");
            }
        } while (!wakes.compareAndSet(1, 0));
    }

    private void pump() {
        while (true) {
            Phase p;
            String from;
            long pos;
            synchronized (this) {
                if (phase != Phase.CATCHUP && phase != Phase.LIVE) {
                    return;
                }
                if (unacked.size() >= hub.window()) {
                    if (windowFullSince == 0) {
                        windowFullSince = System.nanoTime();
                    }
                    return;
                }
                p = phase;
                from = cursor;
                pos = position;
            }
            boolean more = p == Phase.CATCHUP ? catchUp(from) : live(pos);
            flush();
            if (!more) {
                return;
            }
        }
    }

    private boolean catchUp(String from) {
        HubService service = hub.service();
        PullResponse page;
        try {
            page = service.pull(principal, new PullRequest(from, hub.pageSize(), Set.of()));
        } catch (ProblemException e) {
            if (e.type() == ProblemType.CURSOR_EXPIRED) {
                synchronized (this) {
                    enqueue(hub.codec().writeLiveMessage(new LiveMessage.Resync()), null);
                    requestClose(CloseReason.CloseCodes.NORMAL_CLOSURE.getCode(), "resync");
                }
            } else {
                sendError(e.problem());
                closeAfterFlush(4400, "the hello's cursor was refused");
            }
            return false;
        }
        String text = null;
        if (!page.changes().isEmpty() || !page.cursor().equals(from)) {
            text = hub.codec().writeLiveMessage(new LiveMessage.Changes(page.changes(), page.cursor(), page.hasMore()));
        }
        synchronized (this) {
            if (phase != Phase.CATCHUP) {
                return false;
            }
            if (text != null) {
                enqueue(text, page.cursor());
            }
            cursor = page.cursor();
            if (!page.hasMore()) {
                OptionalLong head = HubCursors.version(page.cursor());
                if (head.isEmpty()) {
                    throw new IllegalStateException("a pull without more pages ended at a cursor that is not"
                            + " incremental: " + page.cursor());
                }
                if (hub.log().covers(head.getAsLong())) {
                    phase = Phase.LIVE;
                    position = head.getAsLong();
                }
            }
        }
        return true;
    }

    private boolean live(long pos) {
        LiveLog log = hub.log();
        LiveLog.Slice slice = log.after(pos, hub.pageSize());
        HubService service = hub.service();
        if (slice.overrun()) {
            synchronized (this) {
                if (phase == Phase.LIVE) {
                    phase = Phase.CATCHUP;
                    cursor = service.cursorAt(pos);
                }
            }
            return true;
        }
        if (slice.entries().isEmpty()) {
            return false;
        }
        List<DeliveredChange> readable = new ArrayList<>(slice.entries().size());
        for (LogEntry e : slice.entries()) {
            if (service.mayRead(principal, e)) {
                readable.add(e.toDelivered());
            }
        }
        String text = null;
        String at = service.cursorAt(slice.entries().get(slice.entries().size() - 1));
        if (!readable.isEmpty()) {
            LiveMessage.Changes message = new LiveMessage.Changes(readable, at, slice.more());
            text = readable.size() == slice.entries().size()
                    ? log.shared(pos + ":" + slice.last() + ":" + slice.more(), () -> hub.codec().writeLiveMessage(message))
                    : hub.codec().writeLiveMessage(message);
        }
        synchronized (this) {
            if (phase != Phase.LIVE || position != pos) {
                return false;
            }
            if (text != null) {
                enqueue(text, at);
            }
            position = slice.last();
        }
        return true;
    }

    // ---- sending: one write outstanding per socket, a bounded queue behind it

    private void sendError(Problem problem) {
        send(errorText(problem));
    }

    private String errorText(Problem problem) {
        return hub.codec().writeLiveMessage(new LiveMessage.Error(problem));
    }

    private void send(String text) {
        synchronized (this) {
            enqueue(text, null);
        }
        flush();
    }

    /** Queues a message; {@code ackCursor} non-null for a {@code changes} message that counts in the window. */
    private void enqueue(String text, String ackCursor) {
        assert Thread.holdsLock(this);
        if (phase == Phase.CLOSED || closeAfterFlush != null) {
            return;
        }
        if (outbox.size() >= hub.window() + hub.extraQueued()) {
            // the peer does not read its answers (pushResult, error) either: stop instead of buffering
            requestClose(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(), "not reading");
            outbox.clear();
            queuedChars = 0;
            return;
        }
        if (ackCursor != null) {
            unacked.addLast(ackCursor);
        }
        outbox.addLast(text);
        queuedChars += text.length();
    }

    private void flush() {
        String next;
        CloseReason close = null;
        synchronized (this) {
            if (sending || phase == Phase.CLOSED) {
                return;
            }
            next = outbox.pollFirst();
            if (next == null) {
                if (closeAfterFlush == null) {
                    return;
                }
                close = closeAfterFlush;
                phase = Phase.CLOSED;
            } else {
                queuedChars -= next.length();
                sending = true;
            }
        }
        if (close != null) {
            closeSocket(close);
            return;
        }
        try {
            socket.getAsyncRemote().sendText(next, result -> {
                synchronized (this) {
                    sending = false;
                }
                if (result.isOK()) {
                    flush();
                } else {
                    abort(result.getException());
                }
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                sending = false;
            }
            abort(e);
        }
    }

    /** Closes after every queued message is written. */
    void closeAfterFlush(int code, String reason) {
        synchronized (this) {
            requestClose(code, reason);
        }
        flush();
    }

    private void requestClose(int code, String reason) {
        assert Thread.holdsLock(this);
        if (closeAfterFlush == null && phase != Phase.CLOSED) {
            closeAfterFlush = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason);
        }
    }

    /** Closes now, dropping whatever is queued. */
    void closeNow(int code, String reason) {
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            phase = Phase.CLOSED;
            outbox.clear();
            unacked.clear();
            queuedChars = 0;
        }
        closeSocket(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    }

    private void abort(Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "live socket write failed", cause);
        closeNow(CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode(), "write failed");
    }

    private void closeSocket(CloseReason reason) {
        try {
            socket.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a live socket failed", e);
        }
    }

    /** The container closed the socket. */
    void closed() {
        synchronized (this) {
            phase = Phase.CLOSED;
            outbox.clear();
            unacked.clear();
            queuedChars = 0;
        }
    }

    // ---- timers (the hub's timer thread)

    void tick(long now, boolean ping) {
        Phase p;
        long fullSince;
        synchronized (this) {
            p = phase;
            fullSince = windowFullSince;
        }
        if (p == Phase.CLOSED) {
            return;
        }
        if (p == Phase.HELLO && now - openedAt > hub.helloTimeoutNanos()) {
            sendError(Problem.badRequest("no hello within " + hub.helloTimeout(), List.of()));
            closeAfterFlush(4400, "no hello");
        } else if (now - lastHeard > hub.pingTimeoutNanos()) {
            closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), "silent for " + hub.pingTimeout());
        } else if (fullSince != 0 && now - fullSince > hub.stallTimeoutNanos()) {
            closeNow(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(), "no ack for " + hub.stallTimeout()
                    + " with a full window");
        } else if (ping) {
            try {
                socket.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                closeNow(CloseReason.CloseCodes.GOING_AWAY.getCode(), "ping failed");
            }
        }
    }

    // ---- observation

    synchronized Phase phase() {
        return phase;
    }

    synchronized int unackedCount() {
        return unacked.size();
    }

    synchronized int queuedCount() {
        return outbox.size();
    }

    synchronized long queuedChars() {
        return queuedChars;
    }
}
