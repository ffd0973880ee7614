package io.tether.samples;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** {@code --name value} (or {@code --name=value}) options of one command; anything else is a usage error. */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Options(String command) {
        this.command = command;
    }

    /** Parses {@code args}; every option must be in {@code known} and appear at most once. */
    static Options parse(String command, String[] args, Set<String> known) {
        Options o = new Options(command);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException(command + ": unexpected argument '" + arg + "'; options are "
                        + list(known) + ".");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new UsageException(command + ": --" + name + " needs a value.");
            }
            if (!known.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name + "; options are " + list(known) + ".");
            }
            if (o.values.put(name, value) != null) {
                throw new UsageException(command + ": --" + name + " is given twice.");
            }
        }
        return o;
    }

    private static String list(Set<String> known) {
        StringBuilder b = new StringBuilder();
        for (String k : new TreeSet<>(known)) {
            b.append(b.length() == 0 ? "" : ", ").append("--").append(k);
        }
        return b.toString();
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    String get(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    String require(String name) {
        return get(name).orElseThrow(() -> new UsageException(command + ": --" + name + " is required."));
    }

    int port(String name, int defaultValue) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int port = Integer.parseInt(v);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(command + ": --" + name + " must be a port number 0..65535, was '" + v + "'.");
    }

    Duration duration(String name, Duration defaultValue) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            Duration d = Duration.parse(v);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new UsageException(command + ": --" + name + " must be a positive ISO-8601 duration such as P30D or"
                + " PT12H, was '" + v + "'.");
    }
}
