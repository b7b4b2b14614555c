package io.heliograph.edge.transport;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.RawWs;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * What a client can do with WebSocket framing itself: fragments, bytes split between them, invalid UTF-8, frames
 * far over the limit. Each gets its documented answer, at a cost to the node that grows with the bytes sent, and a
 * bystander loses nothing.
 */
class ClientFramesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private EdgeNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private void start(String... extra) {
        node = EdgeNode.startStandalone(TestNodes.standalone(extra), System::currentTimeMillis);
    }

    private RawWs raw(String clientId) {
        RawWs ws = RawWs.connect(node.wsPort(), token(clientId));
        ws.awaitFrame("connected", WAIT);
        return ws;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
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

    private double metric(String name, String... labels) {
        String[] all = Arrays.copyOf(labels, labels.length + 2);
        all[labels.length] = "node";
        all[labels.length + 1] = node.config().nodeId();
        return PrometheusText.value(node.metrics().render(), name, all);
    }

    private static void assertAlive(WsProbe p) {
        assertEquals("pong", p.request("{'type':'ping','id':'alive'}").awaitReply("alive").get("type").asText());
    }

    @Test
    void aCharacterSplitBetweenFragmentsArrivesWhole() {
        start();
        try (RawWs ws = raw("splitter")) {
            byte[] frame = utf8("{\"type\":\"publish\",\"id\":\"p\",\"channel\":\"split\",\"data\":\"caf\u00e9 \ud83d\ude00\"}");
            // Cut inside the two bytes of é and inside the four bytes of the emoji.
            int e = indexOf(frame, (byte) 0xC3) + 1;
            int emoji = indexOf(frame, (byte) 0xF0) + 2;
            ws.frame(RawWs.TEXT, false, Arrays.copyOfRange(frame, 0, e));
            ws.frame(RawWs.CONTINUATION, false, Arrays.copyOfRange(frame, e, emoji));
            ws.frame(RawWs.CONTINUATION, true, Arrays.copyOfRange(frame, emoji, frame.length));
            assertEquals("ack", ws.awaitFrame("ack", WAIT).get("type").asText());
            ws.text("{\"type\":\"history\",\"id\":\"h\",\"channel\":\"split\"}");
            JsonNode page = ws.awaitFrame("history.page", WAIT);
            assertEquals("caf\u00e9 \ud83d\ude00", page.get("messages").get(0).get("data").asText());
        }
    }

    @Test
    void invalidUtf8IsAnsweredWithAnErrorAndClose1007WhetherInOneFrameOrJoined() {
        start();
        try (WsProbe bystander = WsProbe.connect(node.wsUrl(), token("bystander"))) {
            bystander.awaitType("connected");
            byte[] start = utf8("{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"");
            byte[] end = utf8("\"}");
            byte[][] invalid = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
            for (byte[] bad : invalid) {
                try (RawWs ws = raw("bad-utf8")) {
                    ws.frame(RawWs.TEXT, true, concat(start, bad, end));
                    JsonNode error = ws.awaitFrame("error", WAIT);
                    assertEquals(400, error.get("code").asInt(), error.toString());
                    assertTrue(error.get("message").asText().contains("UTF-8"), error.toString());
                    assertEquals(CloseCodes.INVALID_PAYLOAD, ws.awaitClose(WAIT));
                }
            }
            try (RawWs ws = raw("bad-utf8-joined")) {
                // A first byte of é with nothing after it: each fragment alone could be "repaired", the join is not.
                ws.frame(RawWs.TEXT, false, concat(start, new byte[] {(byte) 0xC3}));
                ws.frame(RawWs.CONTINUATION, true, end);
                assertEquals(400, ws.awaitFrame("error", WAIT).get("code").asInt());
                assertEquals(CloseCodes.INVALID_PAYLOAD, ws.awaitClose(WAIT));
            }
            assertAlive(bystander);
            assertEquals(4, metric("heliograph_input_refusals_total", "reason", "invalid_utf8"));
            TestNodes.await("the four closes counted", WAIT,
                    () -> metric("heliograph_disconnects_total", "reason", "invalid_payload") == 4);
        }
    }

    @Test
    void aLargeMessageInTinyFragmentsIsRefusedEarlyAndCheaply() {
        start();
        try (WsProbe bystander = WsProbe.connect(node.wsUrl(), token("bystander")); RawWs ws = raw("shredder")) {
            bystander.awaitType("connected");
            byte[] message = utf8("{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"" + "x".repeat(600 * 1024)
                    + "\"}");
            long started = System.nanoTime();
            try {
                ws.fragmented(message, 16);
            } catch (IllegalStateException | UncheckedIOException closedMeanwhile) {
                // the node refused the message and closed while the rest was still being sent
            }
            JsonNode error = ws.awaitFrame("error", WAIT);
            assertEquals(400, error.get("code").asInt(), error.toString());
            assertTrue(error.get("message").asText().contains("fragments"), error.toString());
            assertEquals(CloseCodes.POLICY_VIOLATION, ws.awaitClose(WAIT));
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "took "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            assertAlive(bystander);
            assertEquals(1, metric("heliograph_input_refusals_total", "reason", "too_many_fragments"));
            assertTrue(metric("heliograph_fragments_in_total") >= FragmentBuffer.MAX_FRAGMENTS_PER_MESSAGE);
        }
    }

    @Test
    void binaryMessagesAre400AndObeyTheSameSizeAndFragmentLimits() {
        start();
        try (RawWs ws = raw("binary")) {
            ws.frame(RawWs.BINARY, false, new byte[10]).frame(RawWs.CONTINUATION, true, new byte[10]);
            assertEquals(400, ws.awaitFrame("error", WAIT).get("code").asInt());
            ws.text("{\"type\":\"ping\",\"id\":\"still-open\"}");
            assertEquals("pong", ws.awaitFrame("pong", WAIT).get("type").asText());
            try {
                for (int i = 0; i < 2 * FragmentBuffer.MAX_FRAGMENTS_PER_MESSAGE; i++) {
                    ws.frame(i == 0 ? RawWs.BINARY : RawWs.CONTINUATION, false, new byte[1]);
                }
            } catch (IllegalStateException | UncheckedIOException closedMeanwhile) {
                // refused at fragment 1,025
            }
            assertEquals(CloseCodes.POLICY_VIOLATION, ws.awaitClose(WAIT));
        }
        try (RawWs ws = raw("binary-big")) {
            try {
                for (int i = 0; i < 3; i++) {
                    ws.frame(i == 0 ? RawWs.BINARY : RawWs.CONTINUATION, false, new byte[512 * 1024]);
                }
            } catch (IllegalStateException closedMeanwhile) {
                // refused once the joined size passed the limit
            }
            assertEquals(CloseCodes.TOO_BIG, ws.awaitClose(WAIT));
        }
    }

    @Test
    void fragmentsCountAgainstTheRateLimitButAFewPerMessageCostNothingExtra() {
        start("limits.rate-per-second=5", "limits.rate-burst=20");
        try (RawWs ws = raw("fragmenter")) {
            // 15 messages of ~60 KiB in 4 fragments each: 15 tokens, within the burst.
            String data = "y".repeat(60 * 1024);
            for (int i = 0; i < 15; i++) {
                ws.fragmented(utf8("{\"type\":\"publish\",\"id\":\"p" + i + "\",\"channel\":\"c\",\"data\":\"" + data
                        + "\"}"), 16 * 1024);
            }
            for (int i = 0; i < 15; i++) {
                String id = "p" + i;
                JsonNode reply = io.heliograph.protocol.Json.parse(
                        ws.awaitText(f -> id.equals(f.path("id").asText()), WAIT));
                assertEquals("ack", reply.get("type").asText(), reply.toString());
            }
            // One message in 400 fragments costs 1 + 399/16 = 25 tokens: more than the bucket holds.
            ws.fragmented(utf8("{\"type\":\"ping\",\"id\":\"many\"}" + " ".repeat(400 - 26)), 1);
            JsonNode refused = io.heliograph.protocol.Json.parse(ws.awaitText(
                    f -> "error".equals(f.path("type").asText()), WAIT));
            assertEquals(429, refused.get("code").asInt(), refused.toString());
        }
    }

    @Test
    void aFrameOverTheHardLimitIsAlwaysAnsweredWithClose1009() {
        start();
        int attempts = 0;
        for (int round = 0; round < 3; round++) {
            for (int mib : new int[] {4, 16}) {
                for (boolean fragmented : new boolean[] {false, true}) {
                    attempts++;
                    byte[] big = new byte[mib << 20];
                    Arrays.fill(big, (byte) 'z');
                    try (RawWs ws = raw("huge")) {
                        try {
                            if (fragmented) {
                                ws.fragmented(big, 64 * 1024);
                            } else {
                                ws.frame(RawWs.TEXT, true, big);
                            }
                        } catch (IllegalStateException closeArrivedWhileSending) {
                            // the rest of the fragments is not sent after the server's close, as a client should
                        } catch (UncheckedIOException e) {
                            throw new AssertionError("the node stopped reading while the client was still sending ("
                                    + mib + " MiB, fragmented " + fragmented + ")", e);
                        }
                        String what = mib + " MiB, fragmented " + fragmented + ", round " + round;
                        assertEquals(CloseCodes.TOO_BIG, ws.awaitClose(WAIT), what);
                    }
                }
            }
        }
        int expected = attempts;
        TestNodes.await("every close counted", WAIT,
                () -> metric("heliograph_disconnects_total", "reason", "frame_too_large") == expected);
        assertEquals(attempts, metric("heliograph_input_refusals_total", "reason", "frame_too_large"));
        assertTrue(metric("heliograph_input_discarded_bytes_total") > 0);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("no byte " + b);
    }
}
