package io.heliograph.edge.transport;

/**
 * WebSocket close codes Heliograph sends; the values are Protocol v1's, defined once in
 * {@link io.heliograph.protocol.CloseCodes} (with what clients do on each) and shared with the SDK.
 */
public final class CloseCodes {
    public static final int GOING_AWAY = io.heliograph.protocol.CloseCodes.GOING_AWAY;
    public static final int POLICY_VIOLATION = io.heliograph.protocol.CloseCodes.POLICY_VIOLATION;
    public static final int PROTOCOL_ERROR = io.heliograph.protocol.CloseCodes.PROTOCOL_ERROR;
    public static final int INVALID_PAYLOAD = io.heliograph.protocol.CloseCodes.INVALID_PAYLOAD;
    public static final int TOO_BIG = io.heliograph.protocol.CloseCodes.TOO_BIG;
    public static final int INTERNAL_ERROR = io.heliograph.protocol.CloseCodes.INTERNAL_ERROR;
    public static final int TRY_AGAIN_LATER = io.heliograph.protocol.CloseCodes.TRY_AGAIN_LATER;
    public static final int TOKEN_EXPIRED = io.heliograph.protocol.CloseCodes.TOKEN_EXPIRED;

    private CloseCodes() {
    }
}
