package io.tether.sync.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Writes bytes to a hub's socket as they are, for requests a well-behaved client cannot send. */
final class RawHttp {
    private RawHttp() {
    }

    static String exchange(URI base, String request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            try {
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            } catch (java.net.SocketException e) {
                // the server closed after answering; what was read is the answer
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
