package io.heliograph.edge.transport;

/**
 * WebSocket close codes Heliograph sends, and what clients do on each (docs/protocol.md): reconnect on 1001, 1011 and
 * 1013; do not reconnect with the same token on 4001; do not reconnect at once on 1008 and 1009.
 */
public final class CloseCodes {
    /** Node shutting down: reconnect (after the redirect frame) elsewhere. */
    public static final int GOING_AWAY = 1001;
    /** Sustained abuse (rate limit): do not reconnect at once. */
    public static final int POLICY_VIOLATION = 1008;
    /** The client broke the WebSocket framing rules (RFC 6455), e.g. an unmasked frame. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A message that is not valid UTF-8 (RFC 6455: invalid frame payload data): fix the client; do not resend it. */
    public static final int INVALID_PAYLOAD = 1007;
    /** Frame over the hard limit. */
    public static final int TOO_BIG = 1009;
    /** Heartbeat not answered, or internal failure: reconnect and resume. */
    public static final int INTERNAL_ERROR = 1011;
    /** The client could not keep up with its messages: reconnect and resume from the last serial. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Token expired: reconnect only with a new token. */
    public static final int TOKEN_EXPIRED = 4001;

    private CloseCodes() {
    }
}
