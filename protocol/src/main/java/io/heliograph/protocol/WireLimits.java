package io.heliograph.protocol;

/**
 * The limits of Protocol v1 that both ends must agree on (docs/protocol.md): the fixed ones, and the defaults of the
 * edge's configurable {@code limits.*}, which a client assumes unless told what its edges enforce.
 */
public final class WireLimits {

    /** Default of {@code limits.max-frame-bytes}: a frame (or joined fragments) over it is refused with 413 and 1009. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
    /** Default of {@code limits.max-message-bytes}: the encoded {@code data} of a publish or presence. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    /** Default of {@code limits.rate-per-second}: frames per second per connection. */
    public static final int DEFAULT_RATE_PER_SECOND = 100;
    /** Default of {@code limits.rate-burst}. */
    public static final int DEFAULT_RATE_BURST = 200;
    /** Default of {@code limits.max-channels-per-connection}. */
    public static final int DEFAULT_MAX_CHANNELS_PER_CONNECTION = 1000;
    /** A client message may come in at most this many fragments (more: 400 and close 1008). */
    public static final int MAX_FRAGMENTS_PER_MESSAGE = 1024;
    /** A request {@code id} is at most this many characters. */
    public static final int MAX_REQUEST_ID_CHARS = 128;
    /** A {@code msgId} is 1 to this many characters. */
    public static final int MAX_MSG_ID_CHARS = 64;
    /** A message {@code name} is at most this many characters. */
    public static final int MAX_NAME_CHARS = 256;
    /** Default {@code heartbeatMs} announced in {@code connected}. */
    public static final long DEFAULT_HEARTBEAT_MS = 15_000;
    /**
     * A peer silent for this many heartbeat periods is dead: the edge closes after two (looked at every half period,
     * so within 2 to 2.5), and a client gives a node the same 2.5.
     */
    public static final double HEARTBEAT_TOLERANCE = 2.5;

    private WireLimits() {
    }
}
