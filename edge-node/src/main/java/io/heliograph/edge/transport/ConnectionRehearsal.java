package io.heliograph.edge.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

import io.heliograph.edge.api.EdgeOperations;
import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.delivery.DeliveryHub;
import io.heliograph.edge.delivery.OutboundFrame;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.protocol.auth.Tokens;

/**
 * Real connections to a private listener before the node's WebSocket port opens: the accept, the event loops'
 * reads and writes, the upgrade, the token check, the greeting, pings both ways, a queued message frame and the
 * close handshake, through the same classes a client's connection goes through. {@link JitWarmup} compiles what
 * needs no socket; this compiles the rest, which perf found the JIT still compiling during the first storm of
 * clients on a warmed-up node (half of the servers' CPU) and during its first heartbeat rounds (docs/benchmarks.md).
 *
 * <p>Nothing of it is seen from outside: the listener is on 127.0.0.1 at a port of the kernel's choosing and closed
 * afterwards, the connections are counted in a registry and metrics of their own (removed afterwards), they attach
 * nothing and send no request, so no region state, presence or node metric is touched.
 */
public final class ConnectionRehearsal {

    private static final System.Logger LOG = System.getLogger(ConnectionRehearsal.class.getName());
    private static final int TOKENS = 16;
    private static final int READ_TIMEOUT_MS = 5000;

    private ConnectionRehearsal() {
    }

    /**
     * Opens, uses and closes up to {@code connections} connections one after the other, within {@code budget};
     * answers how many went through the whole exchange. A failure stops the rehearsal early (logged); the node
     * starts either way.
     */
    public static int run(Tokens tokens, DeliveryHub hub, EdgeOperations operations, FrameHandler frames,
                          EdgeConfig config, LongSupplier nowMs, ScheduledExecutorService timer, int connections,
                          Duration budget) {
        if (connections <= 0) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        EdgeMetrics metrics = new EdgeMetrics(config.nodeId() + "-rehearsal");
        ConnectionRegistry registry = new ConnectionRegistry(hub, operations, metrics, config.heartbeatMs(), nowMs,
                timer);
        int done = 0;
        WsServer server = null;
        try {
            server = WsServer.start("127.0.0.1", 0, 0,
                    EdgeWebSocket.factory(tokens, frames, registry, metrics, config, nowMs, () -> false), () -> { });
            String[] minted = new String[TOKENS];
            for (int i = 0; i < TOKENS; i++) {
                minted[i] = tokens.mintAll("rehearsal-" + i, Duration.ofMinutes(10));
            }
            OutboundFrame message = OutboundFrame.message("{\"type\":\"message\",\"channel\":\"rehearsal\","
                    + "\"serial\":\"1:1\",\"msgId\":\"m-1\",\"name\":\"tick\",\"data\":{\"n\":1},"
                    + "\"clientId\":\"rehearsal\",\"region\":\"rehearsal\",\"timestamp\":1}");
            while (done < connections && System.nanoTime() < deadline) {
                exchange(server.port(), minted[done % TOKENS], registry, message);
                done++;
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "connection rehearsal stopped after " + done + ": " + e);
        } finally {
            if (server != null) {
                server.close();
            }
            metrics.close();
        }
        LOG.log(System.Logger.Level.INFO, "connection rehearsal: " + done + " connections in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
        return done;
    }

    /** One connection's life, as a client lives it, with the server's pings and a message frame in between. */
    private static void exchange(int port, String token, ConnectionRegistry registry, OutboundFrame message)
            throws IOException {
        try (SocketChannel c = SocketChannel.open()) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.connect(new InetSocketAddress("127.0.0.1", port));
            // Timed reads: a server that stopped answering ends the rehearsal, not the node's start.
            c.socket().setSoTimeout(READ_TIMEOUT_MS);
            write(c, ("GET /v1/ws?access_token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            ServerFrames in = new ServerFrames(c.socket().getInputStream());
            in.skipHead();
            expect(in.next(), 0x1, "the greeting");
            write(c, clientFrame(0x9, new byte[] {'r'}));
            expect(in.next(), 0xA, "the pong");
            registry.forEachOpen(conn -> {
                conn.offer(message);
                conn.ping();
            });
            expect(in.next(), 0x1, "the message");
            expect(in.next(), 0x9, "the server's ping");
            write(c, clientFrame(0xA, new byte[0]));
            write(c, clientFrame(0x8, new byte[] {0x03, (byte) 0xE8}));
            expect(in.next(), 0x8, "the close reply");
        }
    }

    private static void expect(int opcode, int wanted, String what) throws IOException {
        if (opcode != wanted) {
            throw new IOException("expected " + what + " (opcode " + wanted + "), got opcode " + opcode);
        }
    }

    private static void write(SocketChannel c, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** A masked frame, as a client sends it. */
    private static byte[] clientFrame(int opcode, byte[] payload) {
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        byte[] mask = {0x37, 0x1f, 0x5a, 0x03};
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    /** Reads the answer head, then unmasked frames (payloads under 64 KiB), from a blocking socket. */
    private static final class ServerFrames {
        private final java.io.InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int at;
        private int end;

        ServerFrames(java.io.InputStream in) {
            this.in = in;
        }

        void skipHead() throws IOException {
            int matched = 0;
            while (matched < 4) {
                byte b = nextByte();
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        /** The next frame's opcode; its payload is skipped. */
        int next() throws IOException {
            int first = nextByte() & 0xFF;
            int len = nextByte() & 0x7F;
            if (len == 126) {
                len = ((nextByte() & 0xFF) << 8) | (nextByte() & 0xFF);
            } else if (len == 127) {
                throw new IOException("unexpectedly large frame");
            }
            for (int i = 0; i < len; i++) {
                nextByte();
            }
            return first & 0x0F;
        }

        private byte nextByte() throws IOException {
            if (at == end) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("closed by the rehearsal's server");
                }
                at = 0;
                end = n;
            }
            return buf[at++];
        }
    }
}
