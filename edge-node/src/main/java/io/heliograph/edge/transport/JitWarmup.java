package io.heliograph.edge.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.heliograph.edge.delivery.OutboundFrame;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.Utf8;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.auth.Tokens;

/**
 * Runs a new connection's CPU path on made-up input before the WebSocket listener opens: the upgrade request's
 * parse and answer, the token check, the greeting, frame decoding and request parsing. On a fresh JVM that path is
 * interpreted at first, and the JIT compiler's work to compile it takes about half the node's CPU during the first
 * storm of connections (perf, docs/benchmarks.md). The storm is the moment that matters: a region that takes over
 * a failed one receives all of its clients at once, on nodes that may never have served one. Nothing here touches a
 * socket, the registry or a metric.
 */
public final class JitWarmup {

    private static final System.Logger LOG = System.getLogger(JitWarmup.class.getName());
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    /** Enough distinct tokens that nothing can be answered from a cache. */
    private static final int TOKENS = 64;

    private JitWarmup() {
    }

    /**
     * Runs {@code iterations} rounds, or fewer if {@code budget} runs out first; answers how many ran.
     *
     * @param tokens the node's token checker: the round mints and checks tokens with the node's own secret
     */
    public static int run(Tokens tokens, int iterations, Duration budget) {
        if (iterations <= 0) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        byte[][] heads = new byte[TOKENS][];
        String[] minted = new String[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            minted[i] = tokens.mintAll("warmup-" + i, Duration.ofMinutes(10));
            heads[i] = ("GET /v1/ws?access_token=" + minted[i] + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }
        byte[] frames = join(clientFrame(0x1, "{\"type\":\"attach\",\"id\":\"a\",\"channel\":\"warmup\"}"),
                clientFrame(0x9, ""), clientFrame(0xA, ""),
                clientFrame(0x1, "{\"type\":\"publish\",\"id\":\"p\",\"channel\":\"warmup\",\"data\":{\"n\":1}}"));
        long checksum = 0;
        int done = 0;
        Sink sink = new Sink();
        while (done < iterations && System.nanoTime() < deadline) {
            int t = done % TOKENS;
            try {
                byte[] head = heads[t];
                int end = WsHandshake.endOfHead(head, 0, head.length);
                WsHandshake.Upgrade upgrade = WsHandshake.parse(head, end);
                checksum += WsHandshake.accept(upgrade.key()).length;
                TokenClaims claims = tokens.verify(upgrade.token());
                checksum += OutboundFrame.of(Frames.connected("c-warmup", claims.clientId(), "warmup", "warmup",
                        15_000)).wire().length;
                new WsFrameDecoder(sink).feed(ByteBuffer.wrap(frames));
            } catch (WsHandshake.Refusal | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "JIT warm-up stopped: " + e);
                break;
            }
            done++;
        }
        checksum += sink.checksum;
        LOG.log(System.Logger.Level.INFO, "JIT warm-up: " + done + " rounds in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (checksum " + checksum + ")");
        return done;
    }

    /** Takes the decoded frames the way the endpoint does: decoded once, parsed keeping {@code data} raw. */
    private static final class Sink implements WsFrameDecoder.Listener {
        long checksum;

        @Override
        public boolean onFrameStart(boolean first, long payloadLength) {
            return true;
        }

        @Override
        public void onTextFrame(byte[] payload, boolean first, boolean last) {
            String text = Utf8.decodeStrict(payload);
            Json.Parsed parsed = Json.parseKeepingRaw(text, "data");
            checksum += parsed.node().size() + (parsed.rawMember() == null ? 0 : parsed.rawMember().length());
        }

        @Override
        public void onBinaryFrame(long payloadLength, boolean last) {
        }

        @Override
        public boolean onControl(int opcode, byte[] payload, boolean discarding) {
            checksum += opcode;
            return true;
        }

        @Override
        public void onProtocolError(String why) {
            throw new IllegalStateException("warm-up frames broke the framing rules: " + why);
        }

        @Override
        public void onDiscarded(long bytes) {
        }
    }

    private static byte[] clientFrame(int opcode, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        int key = 0x5a3c9e17;
        for (int i = 0; i < 4; i++) {
            frame[2 + i] = (byte) (key >>> (24 - 8 * i));
        }
        System.arraycopy(payload, 0, frame, 6, payload.length);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] ^= (byte) (key >>> (24 - 8 * (i & 3)));
        }
        return frame;
    }

    private static byte[] join(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
