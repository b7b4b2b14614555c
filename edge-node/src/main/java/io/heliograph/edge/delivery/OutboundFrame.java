package io.heliograph.edge.delivery;

import java.nio.charset.StandardCharsets;

/**
 * A server frame ready for the wire: the JSON text and, encoded once, the complete WebSocket text frame (header and
 * UTF-8 payload). A message fanned out to a thousand subscribers is encoded once and its bytes shared by all.
 */
public final class OutboundFrame {

    private final String text;
    private final byte[] wire;
    private final boolean message;

    private OutboundFrame(String text, boolean message) {
        this.text = text;
        this.wire = encode(text);
        this.message = message;
    }

    /** A control frame: a reply, an error, a presence event. */
    public static OutboundFrame of(String text) {
        return new OutboundFrame(text, false);
    }

    /** A channel message frame: one that, when thrown away, is counted as a dropped message. */
    public static OutboundFrame message(String text) {
        return new OutboundFrame(text, true);
    }

    public boolean isMessage() {
        return message;
    }

    public String text() {
        return text;
    }

    /** The whole WebSocket frame: FIN + text opcode, unmasked (server to client), payload length, payload. */
    public byte[] wire() {
        return wire;
    }

    static byte[] encode(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) 0x81;
        if (length < 126) {
            frame[1] = (byte) length;
        } else if (length < 65_536) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }
}
