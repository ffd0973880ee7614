package io.tether.samples;

import io.tether.sync.rest.JwtAuthenticator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad command lines get a message naming the problem and exit status 2, before anything starts. */
class MainArgumentsTest {
    static final String SECRET = HubAndDeviceTest.SECRET;

    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "frobnicate                                  | Unknown command 'frobnicate'",
            "demo --fast                                 | demo takes no options",
            "hub --port eighty                           | --port must be a port number 0..65535, was 'eighty'",
            "hub --port 70000                            | --port must be a port number 0..65535, was '70000'",
            "hub --jwt-secret short                      | --jwt-secret must be at least 32 bytes",
            "hub --retention forever                     | --retention must be a positive ISO-8601 duration",
            "hub --db jdbc:mysql://h/db                  | --db takes mem, an H2 file path",
            "hub --colour blue                           | unknown option --colour",
            "hub --port                                  | --port needs a value",
            "hub 8080                                    | unexpected argument '8080'",
            "hub --port 1 --port 2                       | --port is given twice",
            "device --user alice                         | --hub is required",
            "device --hub ftp://h --user a --token t     | --hub must be the hub's http:// or https:// URL",
            "device --hub http://h:1                     | give --user and --jwt-secret (the hub's), or --token",
            "device --hub http://h:1 --token not-a-jwt   | --token is not a JWT",
            "token --jwt-secret " + SECRET + "           | token: --user is required",
            "token --user alice                          | token: --jwt-secret is required",
            "token --user alice --jwt-secret x --ttl 1h  | --jwt-secret must be at least 32 bytes",
    })
    void badArgumentsExitWithStatusTwoAndSayWhy(String commandLine, String message) throws Exception {
        Outcome o = run(commandLine.trim().split("\\s+"));
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains(message), "expected '" + message + "' in: " + o.err());
        assertTrue(o.err().contains("java -jar tether-samples.jar help"), o.err());
        assertEquals("", o.out());
    }

    @Test
    void deviceWithTokenAndSecretIsRefused() throws Exception {
        Outcome o = run("device", "--hub", "http://h:1", "--token", "t", "--jwt-secret", SECRET);
        assertEquals(2, o.status());
        assertTrue(o.err().contains("either --token or --jwt-secret, not both"), o.err());
    }

    @Test
    void tokenPrintsAJwtTheHubAcceptsForOneHour() throws Exception {
        Outcome o = run("token", "--user", "alice", "--jwt-secret", SECRET);
        assertEquals(0, o.status(), o.err());
        String token = o.out().trim();
        assertEquals(1, o.out().lines().count(), "only the token, for TOKEN=$(...)");
        assertEquals("alice", JwtAuthenticator.hs256(SECRET).build().authenticate(token).name());
        long exp = com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().getTime() / 1000;
        long inAnHour = System.currentTimeMillis() / 1000 + 3600;
        assertTrue(Math.abs(exp - inAnHour) < 60, "expires in one hour: " + exp + " vs " + inAnHour);
    }

    @Test
    void helpListsEveryCommand() throws Exception {
        Outcome o = run("help");
        assertEquals(0, o.status());
        for (String command : new String[] {"demo", "demo-memory", "hub", "device", "token"}) {
            assertTrue(o.out().contains("  " + command + " "), o.out());
        }
    }
}
