package io.tether.sync.rest;

import io.tether.sync.ProblemException;
import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body into memory while enforcing a byte limit, decoding {@code Content-Encoding: gzip}. The
 * limit applies both to the bytes on the wire and to the decoded body, so a small gzip bomb is refused too. A body
 * it refuses is left unread; the servlet drains it ({@link #drain}) when it answers.
 */
final class RequestBody {
    /**
     * How much of a refused request's body is still read (by {@link SyncServlet}, for every problem it answers) so
     * that the client reads the answer instead of a reset.
     */
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    private RequestBody() {
    }

    /**
     * Reads the body.
     *
     * @param in              the raw request stream
     * @param declaredLength  the Content-Length, or -1
     * @param contentEncoding the Content-Encoding header, or null
     * @param limit           the largest body accepted
     */
    static byte[] read(InputStream in, long declaredLength, String contentEncoding, long limit) throws IOException {
        boolean gzip = isGzip(contentEncoding);
        if (declaredLength > limit) {
            throw tooLarge(limit, "Content-Length " + declaredLength);
        }
        CountingInputStream wire = new CountingInputStream(in);
        InputStream decoded = wire;
        try {
            if (gzip) {
                decoded = new GZIPInputStream(new LimitedInputStream(wire, limit + 1), 8192);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(
                    (int) Math.min(Math.max(declaredLength, 512), Math.min(limit, 1 << 20)));
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = decoded.read(buffer)) > 0) {
                total += n;
                if (total > limit || wire.count > limit) {
                    throw tooLarge(limit, gzip ? "the decoded body" : "the body");
                }
                out.write(buffer, 0, n);
            }
            if (wire.count > limit) {
                throw tooLarge(limit, "the gzip body");
            }
            return out.toByteArray();
        } catch (ZipException | java.io.EOFException e) {
            if (gzip && wire.count > limit) {
                throw tooLarge(limit, "the gzip body");
            }
            if (gzip) {
                throw new ProblemException(Problem.badRequest(
                        "the body is not valid gzip (Content-Encoding: gzip): " + e.getMessage(), List.of()));
            }
            throw e;
        }
    }

    /** Whether a Content-Encoding is gzip; identity and absent are plain; anything else is a bad request. */
    static boolean isGzip(String contentEncoding) {
        if (contentEncoding == null) {
            return false;
        }
        String coding = contentEncoding.trim().toLowerCase(Locale.ROOT);
        return switch (coding) {
            case "", "identity" -> false;
            case "gzip", "x-gzip" -> true;
            default -> throw new ProblemException(Problem.badRequest("Content-Encoding '" + contentEncoding
                    + "' is not supported; send gzip or identity", List.of()));
        };
    }

    private static ProblemException tooLarge(long limit, String what) {
        return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
                what + " exceeds the hub's limit of " + limit + " bytes per push; nothing was applied."
                        + " Send fewer changes per request");
    }

    /** Reads and drops what is left of a body, at most {@value #DRAIN_LIMIT} bytes. */
    static void drain(InputStream in) {
        try {
            byte[] buffer = new byte[8192];
            long drained = 0;
            int n;
            while (drained < DRAIN_LIMIT && (n = in.read(buffer)) > 0) {
                drained += n;
            }
        } catch (IOException ignored) {
            // the client went away; the answer is written if the connection still lets it
        }
    }

    private static final class CountingInputStream extends InputStream {
        private final InputStream in;
        long count;

        CountingInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Ends the stream after {@code max} bytes so gzip cannot read without bound from the wire. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        LimitedInputStream(InputStream in, long max) {
            this.in = in;
            this.remaining = max;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
