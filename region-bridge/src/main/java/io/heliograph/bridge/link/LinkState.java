package io.heliograph.bridge.link;

/** Where a {@link LinkSender} is in its life; for logs, {@code /metrics} and {@code /health}. */
public enum LinkState {
    /** Built, not started. */
    NEW,
    /** Opening a stream and exchanging Hellos. */
    CONNECTING,
    /** Hellos exchanged: sending from the outbound log. */
    STREAMING,
    /** The last attempt or stream failed; waiting out the backoff (or the open circuit breaker). */
    BACKING_OFF,
    /** Stopped for good. */
    CLOSED
}
