package io.heliograph.edge.transport;

import java.nio.ByteBuffer;

/**
 * Client frames (RFC 6455) decoded from whatever bytes the socket gave, in any split: the event loop feeds each read
 * as it comes, and this keeps the frame in progress between reads. An idle connection holds only the 14-byte header
 * array; a payload is held only while its frame is being read, and is allocated once the listener has accepted the
 * frame's size (taken from its header, before any of the payload is read).
 *
 * <p>Once input was refused, every data frame that follows is read and dropped, up to {@link #LINGER_MAX_BYTES},
 * so that the client reads the node's close frame instead of a TCP reset; control frames are still honoured, so the
 * client's close reply ends the connection.
 */
final class WsFrameDecoder {

    /** After refusing input, at most this much more is read and dropped while the close handshake completes. */
    static final long LINGER_MAX_BYTES = 32L << 20;

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;
    private static final int NO_MESSAGE = -1;

    /** What the decoder reports; called on the event loop, one frame at a time. */
    interface Listener {

        /**
         * A data frame's header arrived: answers whether to read its payload (false refuses the input; the payload
         * and all later data frames are dropped).
         */
        boolean onFrameStart(boolean first, long payloadLength);

        /** A text frame's payload, unmasked. */
        void onTextFrame(byte[] payload, boolean first, boolean last);

        /** A binary frame, its payload skipped unread. */
        void onBinaryFrame(long payloadLength, boolean last);

        /**
         * A close, ping or pong frame (whole, at most 125 bytes); {@code discarding} when input was refused earlier.
         * Answers false to stop reading (after a close).
         */
        boolean onControl(int opcode, byte[] payload, boolean discarding);

        /** The client broke the framing rules; reported once, then the decoder drops what follows. */
        void onProtocolError(String why);

        /** Bytes read and dropped after a refusal. */
        void onDiscarded(long bytes);
    }

    private enum Phase { HEADER, PAYLOAD, SKIP }

    private enum Skipped { BINARY, DISCARD }

    private final Listener listener;
    private final byte[] header = new byte[14];
    private int headerHave;
    private Phase phase = Phase.HEADER;
    // the frame in progress
    private int opcode;
    private boolean fin;
    private boolean first;
    private int maskKey;
    private boolean masked;
    private byte[] payload;
    private int payloadHave;
    private long skipLeft;
    private long skipLength;
    private Skipped skipped;
    // across frames
    private int messageOpcode = NO_MESSAGE;
    private boolean discarding;
    private long discardedBytes;

    WsFrameDecoder(Listener listener) {
        this.listener = listener;
    }

    /** True once input was refused: everything that follows is dropped. */
    boolean discarding() {
        return discarding;
    }

    /**
     * Consumes the bytes given (all of them, unless it answers false); false when the connection should stop reading:
     * a close frame arrived, or the linger budget after a refusal is spent.
     */
    boolean feed(ByteBuffer in) {
        while (true) {
            switch (phase) {
                case HEADER -> {
                    if (!in.hasRemaining()) {
                        return true;
                    }
                    header[headerHave++] = in.get();
                    if (headerHave == headerLength() && !onHeader()) {
                        return false;
                    }
                }
                case PAYLOAD -> {
                    int n = Math.min(in.remaining(), payload.length - payloadHave);
                    in.get(payload, payloadHave, n);
                    payloadHave += n;
                    if (payloadHave < payload.length) {
                        return true;
                    }
                    if (!onPayload()) {
                        return false;
                    }
                }
                case SKIP -> {
                    int n = (int) Math.min(in.remaining(), skipLeft);
                    in.position(in.position() + n);
                    skipLeft -= n;
                    if (skipLeft > 0) {
                        return true;
                    }
                    phase = Phase.HEADER;
                    if (skipped == Skipped.BINARY) {
                        listener.onBinaryFrame(skipLength, fin);
                    }
                }
            }
        }
    }

    /** Bytes of the header so far known to be needed: 2, then the extended length and the mask. */
    private int headerLength() {
        if (headerHave < 2) {
            return 2;
        }
        int length7 = header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        return 2 + extended + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private boolean onHeader() {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        headerHave = 0;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0F;
        masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7F;
        int at = 2;
        if (length == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            at = 4;
        } else if (length == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFF);
            }
            at = 10;
        }
        if (masked) {
            maskKey = ((header[at] & 0xFF) << 24) | ((header[at + 1] & 0xFF) << 16) | ((header[at + 2] & 0xFF) << 8)
                    | (header[at + 3] & 0xFF);
        }
        if ((b0 & 0x70) != 0 || !masked || length < 0) {
            return protocolError(length, (b0 & 0x70) != 0 ? "reserved bits set" : !masked
                    ? "client frames must be masked" : "bad frame length");
        }
        switch (opcode) {
            case OP_CLOSE, OP_PING, OP_PONG -> {
                if (!fin || length > 125) {
                    return protocolError(length, "control frames must be whole and at most 125 bytes");
                }
                return readPayload((int) length);
            }
            case OP_TEXT, OP_BINARY, OP_CONTINUATION -> {
                return dataHeader(length);
            }
            default -> {
                return protocolError(length, "unknown opcode " + opcode);
            }
        }
    }

    private boolean dataHeader(long length) {
        first = opcode != OP_CONTINUATION;
        if (first == (messageOpcode != NO_MESSAGE) && !discarding) {
            return protocolError(length, first ? "a new message began before the last one ended"
                    : "continuation frame without a message");
        }
        int type = first ? opcode : messageOpcode;
        messageOpcode = fin ? NO_MESSAGE : type;
        if (discarding || !listener.onFrameStart(first, length)) {
            return discard(length);
        }
        if (type == OP_TEXT) {
            opcode = OP_TEXT;
            return readPayload((int) length);
        }
        skip(length, Skipped.BINARY);
        return true;
    }

    private boolean readPayload(int length) {
        payload = new byte[length];
        payloadHave = 0;
        phase = Phase.PAYLOAD;
        return length > 0 || onPayload();
    }

    private boolean onPayload() {
        byte[] data = payload;
        payload = null;
        phase = Phase.HEADER;
        unmask(data, maskKey);
        if (opcode == OP_TEXT) {
            listener.onTextFrame(data, first, fin);
            return true;
        }
        return listener.onControl(opcode, data, discarding);
    }

    /** Refuses a connection that broke the framing rules (once), then drops the frame's payload like any refusal. */
    private boolean protocolError(long length, String why) {
        if (!discarding) {
            listener.onProtocolError(why);
        }
        return discard(Math.max(0, length));
    }

    /** Drops a payload while the close completes; false once the linger budget is spent. */
    private boolean discard(long length) {
        discarding = true;
        discardedBytes += length;
        listener.onDiscarded(length);
        if (discardedBytes > LINGER_MAX_BYTES) {
            return false;
        }
        skip(length, Skipped.DISCARD);
        return true;
    }

    private void skip(long length, Skipped what) {
        skipped = what;
        skipLength = length;
        skipLeft = length;
        // A zero-length frame completes at once: feed() finishes it on its next turn through SKIP.
        phase = Phase.SKIP;
    }

    static void unmask(byte[] data, int key) {
        for (int i = 0; i < data.length; i++) {
            data[i] ^= (byte) (key >>> (24 - 8 * (i & 3)));
        }
    }
}
