package io.tether.sync.rest;

import io.tether.sync.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import static io.tether.sync.rest.Http.CODEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TetherServerTest {

    @Test
    void ephemeralPortIsReportedAndStopIsIdempotent() {
        TetherServer server = TetherServer.builder().hub(new FakeHub()).codec(CODEC).host("127.0.0.1").port(0).build();
        assertThrows(IllegalStateException.class, server::port, "no port before start");
        server.start();
        server.start();
        assertTrue(server.isRunning());
        assertTrue(server.port() > 0);
        assertEquals("http://127.0.0.1:" + server.port(), server.uri().toString());
        server.stop();
        server.stop();
        assertFalse(server.isRunning());
    }

    /** A servlet answering 200 "extended" at its path. */
    static final class Extra extends jakarta.servlet.http.HttpServlet {
        @Override
        protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
                throws java.io.IOException {
            resp.getWriter().write("extended");
        }
    }

    private static String get(java.net.URI uri) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(uri).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void extendAddsToARunningServerOnTheSamePortAndToOneNotStartedYet() throws Exception {
        FakeHub hub = new FakeHub();
        TetherServer running = TetherServer.builder().hub(hub).codec(CODEC).host("127.0.0.1").port(0).build().start();
        try {
            int port = running.port();
            running.extend(context -> context.addServlet(new org.eclipse.jetty.ee10.servlet.ServletHolder(new Extra()), "/extra"));
            assertEquals(port, running.port(), "the port stays bound");
            assertEquals("200 extended", get(java.net.URI.create(running.uri() + "/extra")));
        } finally {
            running.stop();
        }
        FakeHub other = new FakeHub();
        java.util.List<TetherServer> seen = new java.util.ArrayList<>();
        io.tether.sync.Subscription waiting = RestPlugin.whenServing(other, seen::add);
        waiting.close();
        io.tether.sync.Subscription kept = RestPlugin.whenServing(other, seen::add);
        assertTrue(seen.isEmpty(), "no server for that hub yet");
        kept.close();
    }

    @Test
    void busyPortIsAConfigurationErrorNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            TetherServer server = TetherServer.builder().hub(new FakeHub()).codec(CODEC).host("127.0.0.1")
                    .port(taken.getLocalPort()).build();
            ConfigurationException e = assertThrows(ConfigurationException.class, server::start);
            assertTrue(e.getMessage().contains(":" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void missingHubOrKeystoreIsAConfigurationError(@TempDir Path dir) {
        assertThrows(ConfigurationException.class, () -> TetherServer.builder().build());
        assertThrows(ConfigurationException.class, () -> TetherServer.builder().tls(dir.resolve("none.p12"), "x"));
    }

    @Test
    void servesHttpsFromAKeystore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("hub.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "hub", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), output);

        FakeHub hub = new FakeHub();
        try (TetherServer server = TetherServer.builder().hub(hub).codec(CODEC).host("127.0.0.1").port(0)
                .tls(keystore, "changeit").build().start()) {
            assertEquals("https", server.uri().getScheme());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            try (RestTransport t = RestTransport.builder(server.uri()).codec(CODEC).token("alice-token")
                    .sslContext(tls).build()) {
                assertEquals(FakeHub.SCHEMA, t.schema());
            }
            try (RestTransport untrusting = RestTransport.builder(server.uri()).codec(CODEC).token("alice-token")
                    .maxAttempts(1).build()) {
                assertThrows(io.tether.sync.TransportException.class, untrusting::schema,
                        "a client that does not trust the certificate cannot connect");
            }
        }
    }
}
