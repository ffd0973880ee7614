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

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        byte[] body = codec.writeProblem(problem(code, message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Responses.PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Responses.PROBLEM_JSON));
        return ByteBuffer.wrap(codec.writeProblem(problem(status, reason)));
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
