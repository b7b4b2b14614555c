package io.heliograph.launcher.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A userspace TCP proxy on loopback that stands in for a WAN link where the kernel offers no netem: it accepts on
 * its own port, dials the target for each connection, and forwards bytes both ways, each byte no sooner than the
 * one-way delay after it arrived, in order (timestamped chunks on a bounded {@link DelayLine} per direction, so a
 * receiver that stops reading pushes back on the sender instead of filling memory). Connection set-up is not
 * delayed, only the bytes, and a FIN is passed on after the bytes before it.
 *
 * <p>For tests: {@link #cut()} resets every open connection and resets each new one at once until
 * {@link #restore()}; counters say how many bytes went each way. It does not look at what it carries, so TLS passes
 * through untouched (bridges check the region a certificate names, not the address dialled).
 */
public final class TcpProxy implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpProxy.class.getName());
    /** The default bound of bytes held per direction of one connection. */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 4L * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String name;
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long delayNs;
    private final long maxBufferedBytes;
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesToTarget = new AtomicLong();
    private final AtomicLong bytesFromTarget = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpProxy(Builder settings, ServerSocket listener) {
        this.name = settings.name;
        this.listener = listener;
        this.target = new InetSocketAddress(settings.targetHost, settings.targetPort);
        this.delayNs = settings.oneWayDelay.toNanos();
        this.maxBufferedBytes = settings.maxBufferedBytes;
        this.acceptor = Thread.ofVirtual().name(name + "-accept").unstarted(this::acceptLoop);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What logs and thread names call it. */
    public String name() {
        return name;
    }

    /** The port it listens on (the one chosen, when built with 0). */
    public int port() {
        return listener.getLocalPort();
    }

    public InetSocketAddress target() {
        return target;
    }

    public Duration oneWayDelay() {
        return Duration.ofNanos(delayNs);
    }

    /** Bytes written to the target since start (client to target). */
    public long bytesToTarget() {
        return bytesToTarget.get();
    }

    /** Bytes written back to clients since start (target to client). */
    public long bytesFromTarget() {
        return bytesFromTarget.get();
    }

    /** Connections accepted and forwarded since start. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /** Connections reset at once: while cut, or when the target could not be reached. */
    public long connectionsRefused() {
        return refused.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Bytes held by the proxy now, read and not yet written, over all connections and both directions. */
    public long bufferedBytes() {
        return connections.stream().mapToLong(ProxiedConnection::bufferedBytes).sum();
    }

    public boolean isCut() {
        return cut;
    }

    /**
     * Cuts the link: every open connection is reset on both sides now, and every new one is reset as soon as it is
     * accepted, until {@link #restore()}.
     */
    public void cut() {
        cut = true;
        for (ProxiedConnection connection : connections) {
            connection.abort(true);
        }
    }

    /** Lets new connections through again (the ones cut stay closed; their ends reconnect). */
    public void restore() {
        cut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, name + ": accept failed, proxy stops: " + e.getMessage());
                }
                return;
            }
            if (cut || closed) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            long id = ids.incrementAndGet();
            // Dialling the target may take a while; the accept loop goes on meanwhile.
            Thread.ofVirtual().name(name + "-" + id + "-connect").start(() -> forward(client, id));
        }
    }

    private void forward(Socket client, long id) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(target, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            refused.incrementAndGet();
            reset(client);
            reset(upstream);
            return;
        }
        ProxiedConnection[] self = new ProxiedConnection[1];
        ProxiedConnection connection = new ProxiedConnection(name + "-" + id, client, upstream, delayNs,
                maxBufferedBytes, bytesToTarget, bytesFromTarget, () -> connections.remove(self[0]));
        self[0] = connection;
        connections.add(connection);
        accepted.incrementAndGet();
        // A cut or close between the check in the accept loop and here must not let this one through.
        if (cut || closed) {
            connection.abort(true);
            return;
        }
        connection.start();
    }

    private static void closeUnbound(ServerSocket listener) {
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            // It never listened.
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Already closed: nothing to reset.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is all that was wanted.
        }
    }

    /** Stops listening and resets every connection; waits (at most 5 s) for the accept loop to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": closing the listener failed: " + e.getMessage());
        }
        for (ProxiedConnection connection : connections) {
            connection.abort(true);
        }
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort() + ", "
                + oneWayDelay().toMillis() + " ms one way" + (cut ? ", cut" : "") + ")";
    }

    /** Where to listen, where to forward and how slowly. Required: the target. */
    public static final class Builder {
        private String name = "tcp-proxy";
        private String listenHost = InetAddress.getLoopbackAddress().getHostAddress();
        private int listenPort;
        private String targetHost = InetAddress.getLoopbackAddress().getHostAddress();
        private int targetPort = -1;
        private Duration oneWayDelay = Duration.ZERO;
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Where it listens; loopback and any free port (0) by default. */
        public Builder listen(String host, int port) {
            this.listenHost = host;
            this.listenPort = port;
            return this;
        }

        public Builder target(String host, int port) {
            this.targetHost = host;
            this.targetPort = port;
            return this;
        }

        /** Added to every byte in each direction (a round trip through the proxy takes twice this). */
        public Builder oneWayDelay(Duration oneWayDelay) {
            this.oneWayDelay = oneWayDelay;
            return this;
        }

        /**
         * Bytes held per direction of a connection before the proxy stops reading from the sender. A link through
         * the proxy carries at most this much per one-way delay (4 MiB at 50 ms: 80 MiB/s).
         */
        public Builder maxBufferedBytes(long maxBufferedBytes) {
            this.maxBufferedBytes = maxBufferedBytes;
            return this;
        }

        /** Listens now and accepts in the background. */
        public TcpProxy start() {
            if (targetPort < 1 || targetPort > 65535) {
                throw new IllegalArgumentException(name + ": target port " + targetPort + " is outside 1..65535");
            }
            if (oneWayDelay.isNegative()) {
                throw new IllegalArgumentException(name + ": the delay must not be negative, got " + oneWayDelay);
            }
            if (maxBufferedBytes < 1) {
                throw new IllegalArgumentException(name + ": maxBufferedBytes must be positive");
            }
            ServerSocket listener = null;
            try {
                listener = new ServerSocket();
                listener.setReuseAddress(true);
                listener.bind(new InetSocketAddress(listenHost, listenPort));
            } catch (IOException e) {
                closeUnbound(listener);
                throw new UncheckedIOException(name + ": cannot listen on " + listenHost + ":" + listenPort + ": "
                        + e.getMessage(), e);
            }
            TcpProxy proxy = new TcpProxy(this, listener);
            proxy.acceptor.start();
            return proxy;
        }
    }
}
