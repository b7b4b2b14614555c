package io.heliograph.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Minimal RFC 6455 framing for the NIO load client: a reader of server frames (unmasked) that survives frames split
 * across reads, and an encoder of client frames (always masked, as clients must). No extensions are negotiated, so
 * RSV bits are ignored.
 */
final class WsFrames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private WsFrames() {
    }

    /** What the reader found. Called on the reading thread. */
    interface Handler {
        /** A complete text message (continuations already joined). */
        void onText(String text);

        void onBinary();

        void onPing(byte[] payload);

        /** A close frame; {@code code} is 1005 when the frame carries none. */
        void onClose(int code);
    }

    /** Thrown for frames this client cannot accept (masked server frame, oversized, bad opcode). */
    static final class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** Encodes one final, masked client frame. */
    static ByteBuffer clientFrame(int opcode, byte[] payload) {
        int n = payload.length;
        int header = 2 + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8) + 4;
        ByteBuffer b = ByteBuffer.allocate(header + n);
        b.put((byte) (0x80 | opcode));
        if (n < 126) {
            b.put((byte) (0x80 | n));
        } else if (n <= 0xFFFF) {
            b.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            b.put((byte) (0x80 | 127)).putLong(n);
        }
        int maskKey = ThreadLocalRandom.current().nextInt();
        byte[] mask = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        b.put(mask);
        for (int i = 0; i < n; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return b.flip();
    }

    static ByteBuffer clientText(String text) {
        return clientFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuffer clientClose(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return clientFrame(CLOSE, p);
    }

    /** Reads server frames from whatever chunks the socket delivers. One per connection; not thread-safe. */
    static final class Reader {

        private static final int MAX_MESSAGE = 16 << 20;
        private static final byte[] EMPTY = new byte[0];

        private final Handler handler;
        /** Bytes received but not yet consumed (a partial frame). Small until a read ends mid-frame. */
        private byte[] pending = EMPTY;
        private int pendingLength;
        /** A fragmented text message being joined. */
        private byte[] message;
        private int messageLength;
        private boolean inTextMessage;
        private boolean closed;

        Reader(Handler handler) {
            this.handler = handler;
        }

        boolean closed() {
            return closed;
        }

        /** Consumes every byte in {@code in}, reporting each complete frame. */
        void feed(ByteBuffer in) throws ProtocolException {
            if (closed) {
                in.position(in.limit());
                return;
            }
            if (pendingLength == 0 && in.hasArray()) {
                int start = in.arrayOffset() + in.position();
                int end = in.arrayOffset() + in.limit();
                int used = parse(in.array(), start, end);
                in.position(in.limit());
                keep(in.array(), start + used, end);
                return;
            }
            int n = in.remaining();
            ensure(pendingLength + n);
            in.get(pending, pendingLength, n);
            pendingLength += n;
            int used = parse(pending, 0, pendingLength);
            System.arraycopy(pending, used, pending, 0, pendingLength - used);
            pendingLength -= used;
            if (pendingLength == 0 && pending.length > 4096) {
                pending = EMPTY; // idle connections should not keep a large buffer
            }
        }

        private void keep(byte[] src, int from, int to) {
            int n = to - from;
            ensure(n);
            System.arraycopy(src, from, pending, 0, n);
            pendingLength = n;
        }

        private void ensure(int capacity) {
            if (pending.length < capacity) {
                pending = Arrays.copyOf(pending, Math.max(capacity, Math.max(256, pending.length * 2)));
            }
        }

        /** Parses whole frames in {@code b[from, to)}; returns how many bytes were consumed. */
        private int parse(byte[] b, int from, int to) throws ProtocolException {
            int at = from;
            while (!closed) {
                int avail = to - at;
                if (avail < 2) {
                    break;
                }
                int b0 = b[at] & 0xFF;
                int b1 = b[at + 1] & 0xFF;
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                if ((b1 & 0x80) != 0) {
                    throw new ProtocolException("masked frame from server");
                }
                int len7 = b1 & 0x7F;
                int header;
                long length;
                if (len7 < 126) {
                    header = 2;
                    length = len7;
                } else if (len7 == 126) {
                    header = 4;
                    if (avail < header) {
                        break;
                    }
                    length = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
                } else {
                    header = 10;
                    if (avail < header) {
                        break;
                    }
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | (b[at + 2 + i] & 0xFF);
                    }
                    if (length < 0 || length > MAX_MESSAGE) {
                        throw new ProtocolException("frame of " + length + " bytes");
                    }
                }
                if (avail < header + length) {
                    break;
                }
                int p = at + header;
                int n = (int) length;
                at = p + n;
                frame(fin, opcode, b, p, n);
            }
            return at - from;
        }

        private void frame(boolean fin, int opcode, byte[] b, int p, int n) throws ProtocolException {
            switch (opcode) {
                case TEXT -> {
                    if (fin) {
                        handler.onText(new String(b, p, n, StandardCharsets.UTF_8));
                    } else {
                        inTextMessage = true;
                        messageLength = 0;
                        append(b, p, n);
                    }
                }
                case CONTINUATION -> {
                    if (!inTextMessage) {
                        return; // part of a binary message, which is not kept
                    }
                    append(b, p, n);
                    if (fin) {
                        inTextMessage = false;
                        String text = new String(message, 0, messageLength, StandardCharsets.UTF_8);
                        messageLength = 0;
                        message = null;
                        handler.onText(text);
                    }
                }
                case BINARY -> handler.onBinary();
                case PING -> handler.onPing(Arrays.copyOfRange(b, p, p + n));
                case PONG -> { }
                case CLOSE -> {
                    closed = true;
                    handler.onClose(n >= 2 ? ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF) : 1005);
                }
                default -> throw new ProtocolException("opcode " + opcode);
            }
        }

        private void append(byte[] b, int p, int n) throws ProtocolException {
            if (messageLength + n > MAX_MESSAGE) {
                throw new ProtocolException("message over " + MAX_MESSAGE + " bytes");
            }
            if (message == null || message.length < messageLength + n) {
                message = Arrays.copyOf(message == null ? EMPTY : message,
                        Math.max(messageLength + n, message == null ? 1024 : message.length * 2));
            }
            System.arraycopy(b, p, message, messageLength, n);
            messageLength += n;
        }
    }

    /** The value of the first {@code "type":"..."} in a frame, or null; no JSON parse. */
    static String type(String frame) {
        int at = frame.indexOf("\"type\"");
        if (at < 0) {
            return null;
        }
        int i = at + 6;
        int n = frame.length();
        while (i < n && (frame.charAt(i) == ' ' || frame.charAt(i) == ':')) {
            i++;
        }
        if (i >= n || frame.charAt(i) != '"') {
            return null;
        }
        int end = frame.indexOf('"', i + 1);
        return end < 0 ? null : frame.substring(i + 1, end);
    }

    /** Whether a frame's type is {@code message}, without allocating. */
    static boolean isMessage(String frame) {
        return frame.startsWith("{\"type\":\"message\"") || "message".equals(type(frame));
    }
}
