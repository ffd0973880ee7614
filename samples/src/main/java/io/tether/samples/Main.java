package io.tether.samples;

import io.tether.sync.ConfigurationException;
import io.tether.sync.rest.JwtIssuer;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/** {@code java -jar tether-samples.jar <command> [options]}: the runnable samples. */
public final class Main {
    static final String USAGE = String.join("\n",
            "Usage: java -jar tether-samples.jar <command> [options]",
            "  demo          a hub and two Hibernate devices syncing over HTTP in one JVM (the default)",
            "  demo-memory   the same story on the in-memory store and the in-process transport",
            "  hub           a hub: --port 8080 --host 0.0.0.0 --db mem|<h2 file>|<jdbc url> [--db-user U",
            "                --db-password P] --jwt-secret S (generated when left out) --retention P30D",
            "  device        a device with a command loop: --hub http://localhost:8080 --user alice",
            "                --jwt-secret S (or --token T) [--db ./tether-device-<user>|mem|<jdbc url>] [--poll PT10S]",
            "  token         prints a token valid for 1 hour: --user alice --jwt-secret S [--ttl PT1H]",
            "  help          this text");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.quiet();
        int status = run(args, System.in, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a command; returns the process exit status (2 for a usage error). */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "demo" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "demo" -> {
                    noOptions(command, rest);
                    return FullDemo.main(out);
                }
                case "demo-memory" -> {
                    noOptions(command, rest);
                    return new InMemoryDemo(out).run().converged() ? 0 : 1;
                }
                case "hub" -> {
                    return HubApp.run(rest, out);
                }
                case "device" -> {
                    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    return DeviceApp.run(rest, reader, out, System.console() != null && in == System.in);
                }
                case "token" -> {
                    return token(rest, out);
                }
                case "help", "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> throw new UsageException("Unknown command '" + command + "'.");
            }
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println("Run 'java -jar tether-samples.jar help' for the commands and their options.");
            return 2;
        } catch (ConfigurationException e) {
            err.println(command + ": " + e.getMessage());
            return 1;
        }
    }

    private static void noOptions(String command, String[] rest) {
        if (rest.length > 0) {
            throw new UsageException(command + " takes no options; got '" + String.join(" ", rest) + "'.");
        }
    }

    /** {@code token --user alice --jwt-secret S [--ttl PT1H]}: prints only the token, for {@code TOKEN=$(...)}. */
    static int token(String[] args, PrintStream out) {
        Options o = Options.parse("token", args, Set.of("user", "jwt-secret", "ttl"));
        String user = o.require("user");
        String secret = o.require("jwt-secret");
        HubApp.checkSecret("token", secret);
        Duration ttl = o.duration("ttl", Duration.ofHours(1));
        out.println(new JwtIssuer(secret).issue(user, ttl));
        return 0;
    }
}
