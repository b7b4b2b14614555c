package io.heliograph.edge.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The node's WebSocket listener ({@code ws://host:ws-port/v1/ws}): one thread accepts, and a few event loops
 * ({@link WsLoop}, one per core by default) serve every client socket. Helidon serves the HTTP API beside it on its
 * own port; it is not in the WebSocket path because its listener gives every socket a thread and 16 KiB of buffers
 * for its whole life, which is most of what an idle connection would cost (docs/benchmarks.md, issue 7).
 */
public final class WsServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WsServer.class.getName());
    /** Pending connections the kernel may hold while the accept thread catches up: a storm arrives at once. */
    private static final int BACKLOG = 4096;

    private final ServerSocketChannel server;
    private final List<WsLoop> loops = new ArrayList<>();
    private final Thread acceptor;
    private final int port;
    private volatile boolean open = true;

    private WsServer(ServerSocketChannel server, List<WsLoop> loops) throws IOException {
        this.server = server;
        this.loops.addAll(loops);
        this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        this.acceptor = new Thread(this::acceptLoop, "ws-accept-" + port);
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds {@code host:port} (0 picks a free port) and starts accepting; each socket gets an endpoint of its own.
     *
     * @param loopCount event loops; 0 for one per available core
     * @param handshakeTimedOut counts a socket closed for not finishing its upgrade in time
     */
    public static WsServer start(String host, int port, int loopCount, Supplier<EdgeWebSocket> endpoints,
                                 Runnable handshakeTimedOut) {
        int count = loopCount > 0 ? loopCount : Math.max(1, Runtime.getRuntime().availableProcessors());
        ServerSocketChannel channel = null;
        List<WsLoop> loops = new ArrayList<>();
        try {
            channel = ServerSocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(host, port), BACKLOG);
            for (int i = 0; i < count; i++) {
                loops.add(new WsLoop("ws-loop-" + i, endpoints, handshakeTimedOut));
            }
            WsServer server = new WsServer(channel, loops);
            loops.forEach(WsLoop::start);
            server.acceptor.start();
            return server;
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the bind failure is what matters
                }
            }
            throw new UncheckedIOException("cannot listen for WebSocket clients on " + host + ":" + port, e);
        }
    }

    public int port() {
        return port;
    }

    private void acceptLoop() {
        int next = 0;
        while (open) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Out of file descriptors, most likely: back off a little instead of spinning.
                LOG.log(System.Logger.Level.WARNING, "accept failed: " + e.getMessage());
                pause();
                continue;
            }
            try {
                client.configureBlocking(false);
                // Realtime frames go out at once: no Nagle delay waiting for the client's (delayed) ACK.
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            loops.get(next).adopt(client);
            next = (next + 1) % loops.size();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Stops accepting and closes every socket still open. */
    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the WebSocket listener: " + e.getMessage());
        }
        for (WsLoop loop : loops) {
            try {
                loop.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
