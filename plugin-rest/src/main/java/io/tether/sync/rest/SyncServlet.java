package io.tether.sync.rest;

import io.tether.sync.ProblemException;
import io.tether.sync.spi.CollectionSchema;
import io.tether.sync.spi.FieldError;
import io.tether.sync.spi.HubLimits;
import io.tether.sync.spi.HubService;
import io.tether.sync.spi.Principal;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.ProtocolCodec;
import io.tether.sync.spi.PullRequest;
import io.tether.sync.spi.PullResponse;
import io.tether.sync.spi.PushRequest;
import io.tether.sync.spi.PushResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Serves protocol v1 over HTTP (PROTOCOL.md sections 3 to 6): {@code POST /sync/v1/push},
 * {@code GET /sync/v1/pull} and {@code GET /sync/v1/schema}, answering every error with an
 * {@code application/problem+json} body. It parses and renders only; the semantics are the {@link HubService}'s.
 *
 * <p>Mount it in any Servlet 6 container at {@code /*} or {@code /sync/v1/*}; it resolves paths relative to its
 * context, so both work. Paths it does not serve are answered 404 and wrong methods 405 (with {@code Allow}).
 * Request bodies may be gzip ({@code Content-Encoding: gzip}); responses are gzip when {@code Accept-Encoding}
 * allows and the body is at least {@value Responses#GZIP_THRESHOLD} bytes. Push bodies larger than
 * {@link HubLimits#maxPushBytes()} are refused with 413 while reading, before anything is parsed.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new SyncServlet(hub.service(), ProtocolCodec.load())), "/*");
 * }</pre>
 *
 * Thread-safe: it holds no per-request state.
 */
public class SyncServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(SyncServlet.class.getName());
    /** The prefix of every protocol v1 path. */
    public static final String PREFIX = "/sync/v1";
    /** The header carrying a replica's schema version. */
    public static final String SCHEMA_VERSION_HEADER = "Tether-Schema-Version";
    static final int MAX_CURSOR_LENGTH = 1024;
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private final transient HubService hub;
    private final transient ProtocolCodec codec;

    /** A servlet serving {@code hub}, reading and writing JSON with {@code codec}. */
    public SyncServlet(HubService hub, ProtocolCodec codec) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The endpoints of protocol v1 over HTTP. */
    enum Endpoint {
        PUSH("/push", "POST", Set.of()),
        PULL("/pull", "GET", Set.of("cursor", "limit", "collections")),
        SCHEMA("/schema", "GET", Set.of());

        final String path;
        final String method;
        final Set<String> parameters;

        Endpoint(String path, String method, Set<String> parameters) {
            this.path = PREFIX + path;
            this.method = method;
            this.parameters = parameters;
        }

        static Endpoint at(String path) {
            for (Endpoint e : values()) {
                if (e.path.equals(path)) {
                    return e;
                }
            }
            return null;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            serve(req, resp);
        } catch (ProblemException e) {
            writeProblem(req, resp, e.problem(), null);
        } catch (IOException e) {
            // the client went away or stopped sending: nothing can be answered reliably
            LOG.log(System.Logger.Level.DEBUG, "request body or response could not be transferred", e);
            if (!resp.isCommitted()) {
                writeProblem(req, resp, Problem.badRequest("the request body could not be read: " + e.getMessage(),
                        List.of()), null);
            }
        } catch (RuntimeException | Error e) {
            String ref = UUID.randomUUID().toString();
            LOG.log(System.Logger.Level.ERROR, "internal error " + ref + " serving " + req.getMethod() + " "
                    + req.getRequestURI(), e);
            if (!resp.isCommitted()) {
                writeProblem(req, resp, Problem.of(ProblemType.INTERNAL,
                        "the hub failed to serve this request (error " + ref + "); the hub's log has the cause"), null);
            }
        }
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        Endpoint endpoint = Endpoint.at(path);
        if (endpoint == null) {
            throw new ProblemException(ProblemType.NOT_FOUND, "no endpoint at " + path + "; protocol v1 serves "
                    + Endpoint.PUSH.path + ", " + Endpoint.PULL.path + " and " + Endpoint.SCHEMA.path);
        }
        if (!endpoint.method.equals(req.getMethod())) {
            writeProblem(req, resp, new Problem(ProblemType.METHOD_NOT_ALLOWED, ProblemType.METHOD_NOT_ALLOWED.title(),
                    405, endpoint.path + " accepts " + endpoint.method + ", not " + req.getMethod(), List.of()),
                    endpoint.method);
            return;
        }
        Principal principal = authenticate(req);
        hub.checkSchemaVersion(schemaVersion(req));
        QueryParameters params = QueryParameters.parse(req.getQueryString(), endpoint.path, endpoint.parameters);
        switch (endpoint) {
            case PUSH -> {
                byte[] body = RequestBody.read(req.getInputStream(), req.getContentLengthLong(),
                        req.getHeader("Content-Encoding"), hub.limits().maxPushBytes());
                PushRequest request = codec.readPushRequest(body);
                PushResponse response = hub.push(principal, request);
                Responses.write(req, resp, 200, Responses.JSON, codec.writePushResponse(response));
            }
            case PULL -> {
                PullResponse response = hub.pull(principal, pullRequest(params));
                Responses.write(req, resp, 200, Responses.JSON, codec.writePullResponse(response));
            }
            case SCHEMA -> Responses.write(req, resp, 200, Responses.JSON, codec.writeSchema(hub.schema()));
        }
    }

    /** The request path relative to the context, whatever the servlet mapping. */
    private static String path(HttpServletRequest req) {
        String servletPath = req.getServletPath() == null ? "" : req.getServletPath();
        String pathInfo = req.getPathInfo() == null ? "" : req.getPathInfo();
        return servletPath + pathInfo;
    }

    private Principal authenticate(HttpServletRequest req) {
        List<String> headers = Collections.list(req.getHeaders("Authorization"));
        if (headers.isEmpty()) {
            throw unauthorized("missing Authorization header; send 'Authorization: Bearer <token>'");
        }
        if (headers.size() > 1) {
            throw unauthorized("more than one Authorization header");
        }
        String header = headers.get(0).trim();
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer")) {
            throw unauthorized("Authorization scheme '" + scheme + "' is not supported; use Bearer");
        }
        String token = space < 0 ? "" : header.substring(space + 1).trim();
        if (token.isEmpty()) {
            throw unauthorized("the Bearer token is empty");
        }
        return hub.authenticate(token);
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(ProblemType.UNAUTHORIZED, detail);
    }

    private static Integer schemaVersion(HttpServletRequest req) {
        List<String> values = Collections.list(req.getHeaders(SCHEMA_VERSION_HEADER));
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw badHeader("the " + SCHEMA_VERSION_HEADER + " header appears more than once");
        }
        String value = values.get(0).trim();
        if (!DIGITS.matcher(value).matches() || value.length() > 9 || Integer.parseInt(value) < 1) {
            throw badHeader(SCHEMA_VERSION_HEADER + " must be a positive integer, was '" + value + "'");
        }
        return Integer.parseInt(value);
    }

    private static ProblemException badHeader(String message) {
        return new ProblemException(Problem.badRequest(message, List.of(new FieldError(SCHEMA_VERSION_HEADER, message))));
    }

    private PullRequest pullRequest(QueryParameters params) {
        HubLimits limits = hub.limits();
        String cursor = params.get("cursor").orElse(null);
        if (cursor != null && cursor.isEmpty()) {
            throw QueryParameters.badParameter("cursor", "cursor must not be empty; omit it for an initial sync");
        }
        if (cursor != null && cursor.length() > MAX_CURSOR_LENGTH) {
            throw QueryParameters.badParameter("cursor", "cursor is " + cursor.length()
                    + " characters long; no cursor this hub issues is longer than " + MAX_CURSOR_LENGTH);
        }
        int limit = params.get("limit").map(v -> limit(v, limits.maxPullLimit())).orElse(limits.defaultPullLimit());
        Set<String> collections = params.get("collections").map(this::collections).orElse(Set.of());
        return new PullRequest(cursor, limit, collections);
    }

    private static int limit(String value, int max) {
        if (!DIGITS.matcher(value).matches()) {
            throw QueryParameters.badParameter("limit", "limit must be an integer >= 1, was '" + value + "'");
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 9) {
            return max;
        }
        int n = Integer.parseInt(digits);
        if (n < 1) {
            throw QueryParameters.badParameter("limit", "limit must be an integer >= 1, was '" + value + "'");
        }
        return Math.min(n, max);
    }

    private Set<String> collections(String value) {
        Set<String> names = new LinkedHashSet<>();
        List<FieldError> errors = new ArrayList<>();
        for (String name : value.split(",", -1)) {
            if (name.isEmpty()) {
                errors.add(new FieldError("collections", "collections has an empty name; separate names with single"
                        + " commas, or omit the parameter for all collections"));
            } else if (!CollectionSchema.isValidName(name) || hub.schema().collection(name).isEmpty()) {
                errors.add(new FieldError("collections", "unknown collection '" + name + "'"));
            } else {
                names.add(name);
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.badRequest(errors.size() == 1 ? errors.get(0).message()
                    : errors.size() + " problems with collections: " + errors.get(0).message() + ", ...", errors));
        }
        return names;
    }

    private void writeProblem(HttpServletRequest req, HttpServletResponse resp, Problem problem, String allow)
            throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.reset();
        if (problem.type() == ProblemType.UNAUTHORIZED) {
            // RFC 6750 section 3.1: a request that carried a token learns that the token was refused
            resp.setHeader("WWW-Authenticate", req.getHeader("Authorization") == null ? "Bearer realm=\"tether\""
                    : "Bearer realm=\"tether\", error=\"invalid_token\"");
        }
        if (allow != null) {
            resp.setHeader("Allow", allow);
        }
        if (problem.type() == ProblemType.RATE_LIMITED && resp.getHeader("Retry-After") == null) {
            resp.setHeader("Retry-After", "1");
        }
        // refused before its body was read: the body is read and dropped, so that the client reads this answer
        // instead of a reset; one too large to read is not, and the connection closes
        RequestBody.drain(req.getInputStream());
        if (!req.getInputStream().isFinished()) {
            resp.setHeader("Connection", "close");
        }
        Responses.write(req, resp, problem.status(), Responses.PROBLEM_JSON, codec.writeProblem(problem));
    }
}
