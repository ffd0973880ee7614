package io.tether.sync.rest;

import io.tether.sync.ProblemException;
import io.tether.sync.spi.FieldError;
import io.tether.sync.spi.Problem;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The query parameters of one request, parsed from the raw query string (never through
 * {@code ServletRequest#getParameter}, which would consume a form-encoded push body). Each parameter may appear
 * at most once and must be one the endpoint knows.
 */
record QueryParameters(Map<String, String> values) {

    /** Parses and checks a raw query string ({@code null} for none) against the names an endpoint accepts. */
    static QueryParameters parse(String rawQuery, String endpoint, Set<String> accepted) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new QueryParameters(values);
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            if (!accepted.contains(name)) {
                String known = accepted.isEmpty() ? endpoint + " takes no query parameters"
                        : endpoint + " accepts " + String.join(", ", accepted.stream().sorted().toList());
                throw badParameter(name, "unknown query parameter '" + name + "'; " + known);
            }
            if (values.putIfAbsent(name, value) != null) {
                throw badParameter(name, "query parameter '" + name + "' appears more than once");
            }
        }
        return new QueryParameters(values);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    static ProblemException badParameter(String name, String message) {
        return new ProblemException(Problem.badRequest(message, List.of(new FieldError(name, message))));
    }

    private static String decode(String raw, String field) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badParameter(field, "'" + raw + "' in the query is not valid percent-encoding");
        }
    }
}
