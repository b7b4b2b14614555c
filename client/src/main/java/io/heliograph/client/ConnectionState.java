package io.heliograph.client;

/**
 * The lifecycle of a {@link HeliographClient}'s connection. A client that was built but not yet connected, or that was
 * closed, is {@link #CLOSED}.
 */
public enum ConnectionState {
    /** Negotiating a region (entry addresses), or opening a WebSocket and waiting for the {@code connected} frame. */
    CONNECTING,
    /** The {@code connected} frame arrived; requests flow. */
    CONNECTED,
    /**
     * The connection dropped (or the edge closed it, with 1008 after a pause; or a negotiation found no entry) and a
     * reconnect or negotiation is scheduled: channels, presence and unacknowledged publishes resume, in the next
     * region if this one is gone. The transitions are in docs/protocol.md, "Regions".
     */
    DISCONNECTED,
    /** The client will not retry on its own (token refused or expired); see {@code failureReason()}. */
    FAILED,
    /** Not started, or closed by the application. */
    CLOSED
}
