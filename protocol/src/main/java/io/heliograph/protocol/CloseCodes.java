package io.heliograph.protocol;

/**
 * The WebSocket close codes of Protocol v1 (docs/protocol.md, "Close codes"), shared by the edge that sends them and
 * the clients that obey them: reconnect and resume on 1001, 1011 and 1013; not at once on 1008; never with the same
 * token on 4001; fix the client on 1002, 1007 and 1009.
 */
public final class CloseCodes {
    /** Normal close: nothing to do. */
    public static final int NORMAL = 1000;
    /** Node shutting down (after a {@code redirect} frame): reconnect (to its url when given) and resume. */
    public static final int GOING_AWAY = 1001;
    /** The client broke the WebSocket framing rules (RFC 6455), e.g. an unmasked frame. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A message that is not valid UTF-8 (RFC 6455: invalid frame payload data): fix it; do not resend it. */
    public static final int INVALID_PAYLOAD = 1007;
    /** Sustained abuse (rate limit), or a message in too many fragments: do not reconnect at once. */
    public static final int POLICY_VIOLATION = 1008;
    /** Frame over the hard limit: fix the frame; do not resend it. */
    public static final int TOO_BIG = 1009;
    /** Heartbeat not answered, internal failure, a catch-up that could not be read: reconnect and resume. */
    public static final int INTERNAL_ERROR = 1011;
    /** The client could not keep up with its messages: reconnect and resume from the last serial. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Token expired during the connection: reconnect only with a new token. */
    public static final int TOKEN_EXPIRED = 4001;

    private CloseCodes() {
    }
}
