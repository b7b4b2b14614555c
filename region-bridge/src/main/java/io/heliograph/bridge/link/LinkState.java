package io.heliograph.bridge.link;

/** Where a {@link LinkSender} is in its life; for logs, {@code /metrics} and {@code /health}. */
public enum LinkState {
    /** Built, not started. */
    NEW,
    /** Opening a stream and exchanging Hellos. */
    CONNECTING,
    /**
     * On this pair of regions the peer dials (one stream per pair, {@link LinkSender#dials}): waiting for its stream,
     * on which this region's outbound log then goes too.
     */
    ACCEPTING,
    /** Hellos exchanged: sending from the outbound log. */
    STREAMING,
    /** The last attempt or stream failed; waiting out the backoff (or the open circuit breaker). */
    BACKING_OFF,
    /** Stopped for good. */
    CLOSED
}
