package io.heliograph.launcher.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private static final int READ_TIMEOUT_MS = 10_000;

    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void aRoundTripThroughAFiftyMillisecondProxyTakesAtLeastOneHundredMilliseconds() throws Exception {
        TcpProxy proxy = proxy(echoServer().getLocalPort(), Duration.ofMillis(50), TcpProxy.DEFAULT_MAX_BUFFERED_BYTES);
        Socket socket = connect(proxy);

        long fastestNs = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long startNs = System.nanoTime();
            socket.getOutputStream().write(i);
            assertEquals(i, socket.getInputStream().read());
            fastestNs = Math.min(fastestNs, System.nanoTime() - startNs);
        }

        long fastestMs = TimeUnit.NANOSECONDS.toMillis(fastestNs);
        assertTrue(fastestMs >= 100, "a round trip took " + fastestMs + " ms");
        // Generous: the delay is added once per direction, not per chunk or per hop.
        assertTrue(fastestMs < 1_000, "a round trip took " + fastestMs + " ms");
        // Counted once written, which may be just after the client has read it.
        await(() -> proxy.bytesToTarget() == 5 && proxy.bytesFromTarget() == 5, "5 bytes counted each way");
    }

    @Test
    void severalMegabytesArriveIntactAndInOrderThroughASmallBuffer() throws Exception {
        // A buffer far smaller than the data: the proxy must push back on the writer, not drop or reorder.
        TcpProxy proxy = proxy(echoServer().getLocalPort(), Duration.ofMillis(5), 64 * 1024);
        Socket socket = connect(proxy);
        byte[] sent = new byte[6 * 1024 * 1024];
        new Random(42).nextBytes(sent);

        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int offset = 0; offset < sent.length; offset += 10_000) {
                    out.write(sent, offset, Math.min(10_000, sent.length - offset));
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] received = socket.getInputStream().readAllBytes();
        writer.get(30, TimeUnit.SECONDS);

        assertEquals(sent.length, received.length);
        assertArrayEquals(sent, received);
        assertEquals(sent.length, proxy.bytesToTarget());
        assertEquals(sent.length, proxy.bytesFromTarget());
        // Both ends closed their halves: the proxy lets the connection go.
        await(() -> proxy.openConnections() == 0, "the finished connection to be released");
    }

    @Test
    void aTargetThatStopsReadingHoldsTheSenderBackAtTheBuffer() throws Exception {
        long maxBuffered = 128 * 1024;
        ServerSocket silent = listener();
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                held.add(silent.accept()); // accepted, never read
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        TcpProxy proxy = proxy(silent.getLocalPort(), Duration.ZERO, maxBuffered);
        Socket socket = connect(proxy);
        AtomicLong written = new AtomicLong();
        int total = 256 * 1024 * 1024;
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = socket.getOutputStream();
                while (written.get() < total) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the socket is closed at the end of the test
            }
        });

        awaitStable(written::get);

        assertFalse(writer.isDone(), "the writer got all " + total + " bytes out: nothing pushed back");
        assertTrue(proxy.bufferedBytes() <= maxBuffered + 64 * 1024,
                "the proxy holds " + proxy.bufferedBytes() + " bytes");
        assertTrue(written.get() < total / 4, "the writer wrote " + written.get() + " bytes");
        socket.close();
        for (Socket s : held) {
            s.close();
        }
    }

    @Test
    void aCutResetsOpenConnectionsAndNewOnesUntilRestored() throws Exception {
        TcpProxy proxy = proxy(echoServer().getLocalPort(), Duration.ZERO, TcpProxy.DEFAULT_MAX_BUFFERED_BYTES);
        Socket before = connect(proxy);
        assertEchoes(before);

        proxy.cut();

        assertTrue(proxy.isCut());
        assertEndsWithin(before);
        assertRefused(proxy);
        assertTrue(proxy.connectionsRefused() >= 1, "refused: " + proxy.connectionsRefused());
        await(() -> proxy.openConnections() == 0, "the cut connections to be released");

        proxy.restore();

        Socket after = connect(proxy);
        assertEchoes(after);
        assertEquals(2, proxy.connectionsAccepted());
    }

    @Test
    void aTargetThatIsNotListeningIsAConnectionResetAtOnce() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        TcpProxy proxy = proxy(closedPort, Duration.ZERO, TcpProxy.DEFAULT_MAX_BUFFERED_BYTES);

        assertRefused(proxy);
        assertEquals(1, proxy.connectionsRefused());
    }

    @Test
    void closedProxyNoLongerListens() throws Exception {
        TcpProxy proxy = proxy(echoServer().getLocalPort(), Duration.ZERO, TcpProxy.DEFAULT_MAX_BUFFERED_BYTES);
        Socket open = connect(proxy);
        assertEchoes(open);

        proxy.close();

        assertEndsWithin(open);
        assertThrows(IOException.class, () -> new Socket().connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2_000));
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        IllegalArgumentException noTarget = assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().name("p").start());
        assertTrue(noTarget.getMessage().contains("target port"), noTarget.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().target("127.0.0.1", 1).oneWayDelay(Duration.ofMillis(-1)).start());
        assertTrue(negative.getMessage().contains("delay"), negative.getMessage());
    }

    private TcpProxy proxy(int targetPort, Duration delay, long maxBuffered) {
        TcpProxy proxy = TcpProxy.builder().name("test-proxy").target("127.0.0.1", targetPort)
                .oneWayDelay(delay).maxBufferedBytes(maxBuffered).start();
        closing.add(proxy);
        return proxy;
    }

    private Socket connect(TcpProxy proxy) throws IOException {
        Socket socket = new Socket();
        closing.add(socket);
        // Set before connecting: a refused connection may already be reset when connect returns.
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2_000);
        return socket;
    }

    private ServerSocket listener() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closing.add(server);
        return server;
    }

    /** Echoes every byte back on every connection; half-closes when the client does. */
    private ServerSocket echoServer() throws IOException {
        ServerSocket server = listener();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    closing.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                            s.shutdownOutput();
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    private static void assertEchoes(Socket socket) throws IOException {
        socket.getOutputStream().write(7);
        assertEquals(7, socket.getInputStream().read());
    }

    /** A new connection through the proxy ends at once: reset while connecting, or EOF or reset at the first read. */
    private void assertRefused(TcpProxy proxy) {
        Socket socket;
        try {
            socket = connect(proxy);
        } catch (IOException e) {
            return;
        }
        assertEndsWithin(socket);
    }

    /** The connection ends (EOF or reset) without waiting for the read timeout. */
    private static void assertEndsWithin(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            assertEquals(-1, in.read());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + READ_TIMEOUT_MS + " ms", e);
        } catch (IOException e) {
            // A reset: ended, as it should.
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadlineNs) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Waits (at most 15 s) until a growing count has not moved for 500 ms: the writer is blocked. */
    private static void awaitStable(LongSupplier count) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long last = -1;
        long sinceNs = System.nanoTime();
        while (System.nanoTime() < deadlineNs) {
            long now = count.getAsLong();
            if (now != last) {
                last = now;
                sinceNs = System.nanoTime();
            } else if (System.nanoTime() - sinceNs > TimeUnit.MILLISECONDS.toNanos(500)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the writer never stopped: " + last + " bytes written");
    }
}
