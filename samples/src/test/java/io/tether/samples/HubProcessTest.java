package io.tether.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code hub} and {@code token} commands as separate processes: the hub serves over HTTP until it is sent
 * SIGTERM (what Ctrl-C does), then its shutdown hook stops it cleanly; a device process syncs through it.
 */
class HubProcessTest {

    static Process java(Path directory, String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    }

    static List<String> collect(Process p) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(read failed: " + e + ")");
            }
        }, "test-process-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A running hub process: its output so far, once it says it serves (or it died, or 90 s passed). */
    record HubProcess(Process process, List<String> output) {
    }

    static HubProcess startHub(Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("hub"));
        command.addAll(List.of(args));
        Process hub = java(directory, command.toArray(String[]::new));
        List<String> output = collect(hub);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (output.stream().noneMatch(l -> l.contains("Press Ctrl-C")) && System.nanoTime() < deadline
                && hub.isAlive()) {
            Thread.sleep(50);
        }
        return new HubProcess(hub, output);
    }

    @Test
    void hubServesUntilSigtermAndStopsCleanlyAndADeviceProcessSyncsThroughIt(@TempDir Path directory)
            throws Exception {
        int port = freePort();
        HubProcess started = startHub(directory, "--host", "127.0.0.1", "--port", Integer.toString(port), "--db",
                directory.resolve("hub").toString());
        Process hub = started.process();
        List<String> hubOut = started.output();
        try {
            assertTrue(hubOut.stream().anyMatch(l -> l.startsWith("Tether hub serving http://127.0.0.1:" + port)),
                    String.join("\n", hubOut));
            String secret = hubOut.get(hubOut.indexOf("No --jwt-secret given: using a generated development secret:")
                    + 1).trim();
            String tokenHint = hubOut.stream().filter(l -> l.startsWith("A token for alice:")).findFirst().orElseThrow();
            assertTrue(tokenHint.endsWith("token --user alice --jwt-secret " + secret), tokenHint);

            Process token = java(directory, "token", "--user", "alice", "--jwt-secret", secret);
            String jwt = new String(token.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, token.waitFor());
            HttpResponse<String> schema = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/sync/v1/schema")).header("Authorization", "Bearer " + jwt)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, schema.statusCode(), schema.body());
            assertTrue(schema.body().contains("\"projects\"") && schema.body().contains("\"tasks\""), schema.body());

            Process device = java(directory, "device", "--hub", "http://127.0.0.1:" + port, "--token", jwt);
            device.getOutputStream().write("add From a process\nsync\nlist\nquit\n".getBytes(StandardCharsets.UTF_8));
            device.getOutputStream().close();
            String deviceOut = new String(device.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(device.waitFor(60, TimeUnit.SECONDS), deviceOut);
            assertEquals(0, device.exitValue(), deviceOut);
            assertTrue(deviceOut.contains("synced: pushed"), deviceOut);
            assertTrue(directory.resolve("tether-device-alice.mv.db").toFile().isFile(),
                    "the default device database is ./tether-device-<user>");

            HttpResponse<String> pull = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/sync/v1/pull")).header("Authorization", "Bearer " + jwt)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(pull.body().contains("From a process"), pull.body());
        } finally {
            hub.toHandle().destroy(); // SIGTERM, as Ctrl-C (Process.destroy would also close its output)
            assertTrue(hub.waitFor(30, TimeUnit.SECONDS), "the hub stops on SIGTERM");
        }
        Thread.sleep(200);
        assertTrue(hubOut.contains("Hub stopped."), String.join("\n", hubOut));
        try (ServerSocket again = new ServerSocket(port)) {
            assertEquals(port, again.getLocalPort(), "the hub released its port");
        }
        assertTrue(new File(directory.toFile(), "hub.mv.db").isFile(), "--db took an H2 file path");
    }
}
