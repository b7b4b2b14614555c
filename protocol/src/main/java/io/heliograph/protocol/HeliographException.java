package io.heliograph.protocol;

/**
 * The one exception family of Heliograph: a failure that carries its protocol error code, so that each transport turns
 * it into the right frame, close code or HTTP status in one place.
 */
public class HeliographException extends RuntimeException {

    private final ErrorCode code;

    public HeliographException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public HeliographException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static HeliographException badRequest(String message) {
        return new HeliographException(ErrorCode.BAD_REQUEST, message);
    }
}
