package io.heliograph.bridge;

/**
 * A region bridge's configuration cannot work (a missing or unreadable file, a PEM that is not what it should be, a
 * certificate that names no region or the wrong one, plaintext without the {@code insecure} flag). Thrown while
 * building, at start-up, with a message that names the setting and what was wrong, so the process stops with one
 * line that says what to fix.
 */
public class BridgeConfigException extends IllegalArgumentException {

    public BridgeConfigException(String message) {
        super(message);
    }

    public BridgeConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
