package io.heliograph.edge.transport;

import java.util.Arrays;

/**
 * The raw bytes of the one client message being received in several fragments. Fragments are joined as bytes and
 * decoded once, whole, so a character split between fragments arrives intact. Sizes are counted as fragments arrive
 * (never by measuring the joined buffer again), and the buffer is let go after each message: an idle connection
 * holds no buffer at all. Used by the connection's reader thread only.
 */
final class FragmentBuffer {

    /** Most fragments one message may arrive in; more is refused (error 400, close 1008). */
    static final int MAX_FRAGMENTS_PER_MESSAGE = 1024;
    /** Each further this many fragments of a message cost one more rate-limit token. */
    static final int FRAGMENTS_PER_TOKEN = 16;

    private static final int INITIAL_CAPACITY = 8 * 1024;

    private byte[] bytes;
    private int length;
    private int fragments;

    /** True between a message's first fragment and its last. */
    boolean inProgress() {
        return fragments > 0;
    }

    int fragments() {
        return fragments;
    }

    /** Bytes joined so far. */
    int length() {
        return length;
    }

    /** Capacity held now (0 when no message is in progress). */
    int capacity() {
        return bytes == null ? 0 : bytes.length;
    }

    /** Appends one fragment; the caller has checked the joined size against the frame limit. */
    void append(byte[] payload) {
        fragments++;
        if (payload.length == 0) {
            return;
        }
        if (bytes == null) {
            bytes = new byte[Math.max(INITIAL_CAPACITY, payload.length)];
        } else if (length + payload.length > bytes.length) {
            // Doubling keeps the copying linear in the message's size.
            bytes = Arrays.copyOf(bytes, Math.max(length + payload.length, 2 * bytes.length));
        }
        System.arraycopy(payload, 0, bytes, length, payload.length);
        length += payload.length;
    }

    /** Counts a fragment whose bytes are not kept (a binary message, refused at its end anyway). */
    void count(long payloadLength) {
        fragments++;
        length += (int) payloadLength;
    }

    /** The joined message; the buffer is released. */
    byte[] take() {
        byte[] out = bytes == null ? new byte[0] : Arrays.copyOf(bytes, length);
        release();
        return out;
    }

    /** Forgets the message in progress, if any, and lets go of its memory. */
    void release() {
        bytes = null;
        length = 0;
        fragments = 0;
    }

    /** Rate-limit tokens a message of {@code fragments} fragments costs: 1, plus 1 per further 16. */
    static int tokens(int fragments) {
        return 1 + Math.max(0, fragments - 1) / FRAGMENTS_PER_TOKEN;
    }
}
