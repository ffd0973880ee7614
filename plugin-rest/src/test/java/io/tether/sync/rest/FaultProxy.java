package io.tether.sync.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a hub that injects faults per HTTP exchange, decided by a seeded random: the request is
 * dropped before it reaches the hub, cut off half way, or the connection reset; the response is dropped after the
 * hub applied the request; or the exchange is delayed. HTTP/1.1 without pipelining is assumed: bytes from the
 * client after a response started belong to the next request.
 */
final class FaultProxy implements AutoCloseable {
    enum Fault { NONE, DROP_REQUEST, TRUNCATE_REQUEST, RESET, DROP_RESPONSE, DELAY }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Random random;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile double faultRate;
    final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);

    FaultProxy(URI hub, long seed, double faultRate) throws IOException {
        this.target = new InetSocketAddress(hub.getHost(), hub.getPort());
        this.random = new Random(seed);
        this.faultRate = faultRate;
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicInteger());
        }
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Sets the share of exchanges that get a fault; 0 heals the network. */
    void faultRate(double rate) {
        this.faultRate = rate;
    }

    private Fault nextFault() {
        synchronized (random) {
            if (random.nextDouble() >= faultRate) {
                return Fault.NONE;
            }
            Fault[] faults = {Fault.DROP_REQUEST, Fault.TRUNCATE_REQUEST, Fault.RESET, Fault.DROP_RESPONSE, Fault.DELAY};
            return faults[random.nextInt(faults.length)];
        }
    }

    private int delayMillis() {
        synchronized (random) {
            return 20 + random.nextInt(200);
        }
    }

    private void accept() {
        while (!closed.get()) {
            try {
                Socket client = listener.accept();
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One client connection: per exchange, the fault is rolled on its first request bytes. */
    private void relay(Socket client) {
        try (client; Socket hub = new Socket()) {
            hub.connect(target, 2000);
            Exchange exchange = new Exchange();
            threads.execute(() -> pumpResponses(hub, client, exchange));
            InputStream in = client.getInputStream();
            OutputStream out = hub.getOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (exchange.awaitingRequest) {
                    exchange.awaitingRequest = false;
                    exchange.fault = nextFault();
                    injected.get(exchange.fault).incrementAndGet();
                    switch (exchange.fault) {
                        case DROP_REQUEST -> {
                            return;
                        }
                        case RESET -> {
                            client.setSoLinger(true, 0);
                            return;
                        }
                        case TRUNCATE_REQUEST -> {
                            out.write(buffer, 0, Math.max(1, n / 2));
                            out.flush();
                            hub.setSoLinger(true, 0);
                            client.setSoLinger(true, 0);
                            return;
                        }
                        case DELAY -> sleep(delayMillis());
                        default -> {
                        }
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // a side closed: the connection ends, as a real network's would
        }
    }

    private void pumpResponses(Socket hub, Socket client, Exchange exchange) {
        try {
            InputStream in = hub.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (exchange.fault == Fault.DROP_RESPONSE) {
                    client.setSoLinger(true, 0);
                    client.close(); // the hub applied the request; its answer never arrives
                    hub.close();
                    return;
                }
                exchange.awaitingRequest = true;
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the connection ended
        } finally {
            try {
                client.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static final class Exchange {
        volatile boolean awaitingRequest = true;
        volatile Fault fault = Fault.NONE;
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed.set(true);
        listener.close();
        threads.shutdownNow();
    }
}
