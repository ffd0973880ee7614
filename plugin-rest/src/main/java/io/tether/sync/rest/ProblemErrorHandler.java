package io.tether.sync.rest;

import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;
import io.tether.sync.spi.ProtocolCodec;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Jetty's error pages as problems: requests Jetty refuses itself (a malformed request line, headers too large,
 * a URI it will not route) get an {@code application/problem+json} body too, as PROTOCOL.md section 6 asks.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final ProtocolCodec codec;

    ProblemErrorHandler(ProtocolCodec codec) {
        this.codec = codec;
    }

    /** Every method gets its problem body (Jetty writes error pages for GET, POST and HEAD only). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        byte[] body = codec.writeProblem(problem(code, detail(message, cause)));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Responses.PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        // Jetty may close the connection after a request it could not parse: say so, or a client reuses it
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Responses.PROBLEM_JSON));
        return ByteBuffer.wrap(codec.writeProblem(problem(status, reason)));
    }

    /**
     * Jetty's message, with the reason it gives further down when the message is only the status's phrase ("Bad
     * Request: Illegal character in path").
     */
    private static String detail(String message, Throwable cause) {
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root == null || root == cause ? null : root.getMessage();
        if (reason == null || reason.isBlank() || (message != null && message.contains(reason))) {
            return message;
        }
        return message == null || message.isBlank() ? reason : message + ": " + reason;
    }

    static Problem problem(int status, String message) {
        ProblemType type = switch (status) {
            case 401 -> ProblemType.UNAUTHORIZED;
            case 403 -> ProblemType.FORBIDDEN;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 429 -> ProblemType.RATE_LIMITED;
            default -> status >= 500 ? ProblemType.INTERNAL : ProblemType.BAD_REQUEST;
        };
        String detail = message == null || message.isBlank() ? "HTTP " + status : message;
        return new Problem(type, type.title(), status, detail, List.of());
    }
}
