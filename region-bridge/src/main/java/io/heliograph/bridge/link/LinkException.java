package io.heliograph.bridge.link;

/** A Link stream that failed or was refused; the {@link LinkSender} backs off and reconnects. */
public final class LinkException extends RuntimeException {

    public LinkException(String message) {
        super(message);
    }

    public LinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
