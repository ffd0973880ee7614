package io.tether.sync.rest;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** Writes response bodies, gzip-compressed when the client accepts it and the body is worth compressing. */
final class Responses {
    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";
    /** Bodies smaller than this are sent as they are: gzip would barely shrink them. */
    static final int GZIP_THRESHOLD = 1024;

    private Responses() {
    }

    static void write(HttpServletRequest req, HttpServletResponse resp, int status, String contentType, byte[] body)
            throws IOException {
        resp.setStatus(status);
        resp.setContentType(contentType);
        resp.setHeader("Cache-Control", "no-store");
        byte[] payload = body;
        if (body.length >= GZIP_THRESHOLD) {
            resp.addHeader("Vary", "Accept-Encoding");
            if (acceptsGzip(req)) {
                payload = gzip(body);
                resp.setHeader("Content-Encoding", "gzip");
            }
        }
        resp.setContentLength(payload.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(payload);
        }
    }

    /** Whether {@code Accept-Encoding} allows gzip (RFC 9110 section 12.5.3, with q-values). */
    static boolean acceptsGzip(HttpServletRequest req) {
        Double gzip = null;
        Double star = null;
        for (String header : Collections.list(req.getHeaders("Accept-Encoding"))) {
            for (String item : header.split(",")) {
                String[] parts = item.trim().split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                double q = 1.0;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    if (p.regionMatches(true, 0, "q=", 0, 2)) {
                        try {
                            q = Double.parseDouble(p.substring(2).trim());
                        } catch (NumberFormatException e) {
                            q = 0;
                        }
                    }
                }
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    gzip = q;
                } else if (coding.equals("*")) {
                    star = q;
                }
            }
        }
        if (gzip != null) {
            return gzip > 0;
        }
        return star != null && star > 0;
    }

    static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(body);
        }
        return out.toByteArray();
    }
}
