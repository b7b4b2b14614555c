package io.heliograph.bridge.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of one port, for a test to cut a link and restore it: while cut, every open
 * connection and every new one is reset at once, and each new one is counted (how often the other side dialled).
 * (launcher's {@code TcpProxy} does the same for the system tests; launcher depends on this module.)
 */
final class CutProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong dialledWhileCut = new AtomicLong();
    private volatile boolean cut;

    CutProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("cut-proxy-" + server.getLocalPort()).start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection, and every new one until {@link #restore()}. */
    void cut() {
        cut = true;
        open.forEach(CutProxy::reset);
    }

    void restore() {
        cut = false;
    }

    /** Connections attempted while cut. */
    long dialledWhileCut() {
        return dialledWhileCut.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (cut) {
                dialledWhileCut.incrementAndGet();
                reset(client);
                continue;
            }
            try {
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ended) {
                // Either side closed or was reset.
            } finally {
                reset(from);
                reset(to);
            }
        });
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // Closed already.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(CutProxy::reset);
    }
}
