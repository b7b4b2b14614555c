package io.heliograph.protocol;

/** The error codes of Protocol v1; the numbers match the HTTP statuses the HTTP API answers with. */
public enum ErrorCode {
    /** Malformed frame, unknown type, missing or invalid field, invalid channel name. Connection stays open. */
    BAD_REQUEST(400),
    /** Token missing, malformed, wrongly signed or expired. At upgrade: HTTP 401; during a connection: close 4001. */
    UNAUTHORIZED(401),
    /** The token lacks the capability for this operation on this channel. Connection stays open. */
    FORBIDDEN(403),
    /** Not found (HTTP API only: unknown path). */
    NOT_FOUND(404),
    /** Continuity lost: history no longer reaches back to the requested serial. */
    CONTINUITY_LOST(410),
    /** Frame or message larger than the limit. */
    TOO_LARGE(413),
    /** Rate limit exceeded, or a per-connection bound (channels) reached. */
    RATE_LIMITED(429),
    /** Unexpected server fault; the request may be retried. */
    INTERNAL(500),
    /** Temporarily unable, e.g. storage unavailable; retry later. */
    UNAVAILABLE(503);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
