package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The event loop hands the decoder whatever each read returned: every split of the same bytes must decode alike. */
class WsFrameDecoderTest {

    /** Records what the decoder reports, as text lines. */
    private static final class Events implements WsFrameDecoder.Listener {
        final List<String> seen = new ArrayList<>();
        long refuseAbove = Long.MAX_VALUE;

        @Override
        public boolean onFrameStart(boolean first, long payloadLength) {
            seen.add("start " + first + " " + payloadLength);
            return payloadLength <= refuseAbove;
        }

        @Override
        public void onTextFrame(byte[] payload, boolean first, boolean last) {
            seen.add("text " + first + " " + last + " " + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void onBinaryFrame(long payloadLength, boolean last) {
            seen.add("binary " + payloadLength + " " + last);
        }

        @Override
        public boolean onControl(int opcode, byte[] payload, boolean discarding) {
            seen.add("control " + opcode + " " + payload.length + " " + discarding);
            return opcode != WsFrameDecoder.OP_CLOSE;
        }

        @Override
        public void onProtocolError(String why) {
            seen.add("protocol " + why);
        }

        @Override
        public void onDiscarded(long bytes) {
            seen.add("discarded " + bytes);
        }
    }

    static byte[] frame(int opcode, boolean fin, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65_536) {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (((long) payload.length >>> shift) & 0xFF));
            }
        }
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        if (masked) {
            out.write(mask, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ mask[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] text(String s, boolean fin, int opcode) {
        return frame(opcode, fin, s.getBytes(StandardCharsets.UTF_8), true);
    }

    static byte[] join(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** Feeds {@code bytes} in pieces of the given sizes (cycled); answers the events and whether reading went on. */
    private static List<String> decode(byte[] bytes, int[] pieces, Events events) {
        WsFrameDecoder decoder = new WsFrameDecoder(events);
        int at = 0;
        int i = 0;
        while (at < bytes.length) {
            int n = Math.min(pieces[i++ % pieces.length], bytes.length - at);
            ByteBuffer buf = ByteBuffer.wrap(bytes, at, n);
            boolean more = decoder.feed(buf);
            at += n;
            if (!more) {
                events.seen.add("stop");
                break;
            }
            assertFalse(buf.hasRemaining(), "a feed that goes on consumes everything");
        }
        return events.seen;
    }

    @Test
    void everySplitOfTheSameBytesDecodesAlike() {
        String big = "b".repeat(70_000);
        String medium = "m".repeat(300);
        byte[] stream = join(
                text("hello", true, WsFrameDecoder.OP_TEXT),
                frame(WsFrameDecoder.OP_PING, true, new byte[] {1, 2, 3}, true),
                text("frag-", false, WsFrameDecoder.OP_TEXT),
                frame(WsFrameDecoder.OP_PONG, true, new byte[0], true),
                text("ment", true, WsFrameDecoder.OP_CONTINUATION),
                text("", true, WsFrameDecoder.OP_TEXT),
                text(medium, true, WsFrameDecoder.OP_TEXT),
                frame(WsFrameDecoder.OP_BINARY, true, new byte[200], true),
                text(big, true, WsFrameDecoder.OP_TEXT),
                frame(WsFrameDecoder.OP_CLOSE, true, new byte[] {0x03, (byte) 0xe8}, true),
                text("after close", true, WsFrameDecoder.OP_TEXT));
        List<String> whole = decode(stream, new int[] {stream.length}, new Events());
        assertEquals(List.of("start true 5", "text true true hello", "control 9 3 false", "start true 5",
                "text true false frag-", "control 10 0 false", "start false 4", "text false true ment",
                "start true 0", "text true true ", "start true 300", "text true true " + medium, "start true 200",
                "binary 200 true", "start true 70000", "text true true " + big, "control 8 2 false", "stop"), whole);
        assertEquals(whole, decode(stream, new int[] {1}, new Events()), "byte by byte");
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            int[] pieces = random.ints(16, 1, 5000).toArray();
            assertEquals(whole, decode(stream, pieces, new Events()), "pieces " + java.util.Arrays.toString(pieces));
        }
    }

    @Test
    void aRefusedFrameIsDroppedAndSoIsEveryDataFrameAfterItButControlFramesStillCount() {
        Events events = new Events();
        events.refuseAbove = 10;
        byte[] stream = join(text("x".repeat(50), true, WsFrameDecoder.OP_TEXT),
                text("small", true, WsFrameDecoder.OP_TEXT),
                frame(WsFrameDecoder.OP_PING, true, new byte[0], true),
                frame(WsFrameDecoder.OP_CLOSE, true, new byte[0], true));
        assertEquals(List.of("start true 50", "discarded 50", "discarded 5", "control 9 0 true", "control 8 0 true",
                "stop"), decode(stream, new int[] {3}, events));
    }

    @Test
    void framingErrorsAreReportedOnceThenTheRestIsDropped() {
        Events events = new Events();
        byte[] stream = join(frame(WsFrameDecoder.OP_TEXT, true, "bare".getBytes(StandardCharsets.UTF_8), false),
                text("continuation", true, WsFrameDecoder.OP_CONTINUATION),
                frame(0x3, true, new byte[4], true));
        assertEquals(List.of("protocol client frames must be masked", "discarded 4", "discarded 12",
                "discarded 4"), decode(stream, new int[] {2}, events));
    }

    @Test
    void controlFramesMustBeWholeAndSmallAndMessagesMustNotInterleave() {
        assertEquals("protocol control frames must be whole and at most 125 bytes",
                decode(frame(WsFrameDecoder.OP_PING, true, new byte[126], true), new int[] {64}, new Events()).get(0));
        assertEquals("protocol a new message began before the last one ended",
                decode(join(text("a", false, WsFrameDecoder.OP_TEXT), text("b", true, WsFrameDecoder.OP_TEXT)),
                        new int[] {64}, new Events()).get(2));
        assertEquals("protocol continuation frame without a message",
                decode(text("c", true, WsFrameDecoder.OP_CONTINUATION), new int[] {64}, new Events()).get(0));
    }

    @Test
    void lingeringStopsOnceItsBudgetIsSpent() {
        Events events = new Events();
        events.refuseAbove = 0;
        // A header that claims more than the linger budget: reading stops at once instead of reading it all.
        byte[] header = {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, 0x7f, 0, 0, 0, 1, 2, 3, 4};
        List<String> seen = decode(header, new int[] {14}, events);
        assertEquals(List.of("start true " + 0x7f000000L, "discarded " + 0x7f000000L, "stop"), seen);
        assertTrue(0x7f000000L > WsFrameDecoder.LINGER_MAX_BYTES);
    }
}
