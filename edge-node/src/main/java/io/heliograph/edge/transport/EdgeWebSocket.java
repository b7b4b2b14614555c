package io.heliograph.edge.transport;

import java.util.function.LongSupplier;


import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.edge.observe.EdgeMetrics.DisconnectReason;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Utf8;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.auth.Tokens;
import io.heliograph.protocol.limit.RateLimiter;

/**
 * The {@code /v1/ws} endpoint: one per socket (made by {@link #factory}), so the fields below belong to exactly one
 * client. The token is checked at the upgrade: a bad one never gets a connection. Frames come from the socket's
 * decoder ({@link WsFrameDecoder}) on its event loop, one at a time: text as raw bytes, joined and decoded once per
 * message. Nothing here blocks: requests that wait on the region run on the connection's request worker.
 */
public final class EdgeWebSocket {

    private final Tokens tokens;
    private final FrameHandler frames;
    private final ConnectionRegistry registry;
    private final EdgeMetrics metrics;
    private final EdgeConfig config;
    private final LongSupplier nowMs;
    private final java.util.function.BooleanSupplier draining;
    private TokenClaims claims;
    private Connection connection;

    EdgeWebSocket(Tokens tokens, FrameHandler frames, ConnectionRegistry registry, EdgeMetrics metrics,
                  EdgeConfig config, LongSupplier nowMs, java.util.function.BooleanSupplier draining) {
        this.draining = draining;
        this.tokens = tokens;
        this.frames = frames;
        this.registry = registry;
        this.metrics = metrics;
        this.config = config;
        this.nowMs = nowMs;
    }

    /**
     * The upgrade request's token, checked before the socket is granted: a node that is shutting down or full, or a
     * bad token, is refused with the error's HTTP status and JSON body (counted).
     */
    void admit(String token) {
        try {
            if (draining.getAsBoolean()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "node is shutting down");
            }
            if (registry.size() >= config.limits().maxConnections()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "node is at its connection limit");
            }
            claims = tokens.verify(token);
        } catch (HeliographException e) {
            metrics.error(e.code().code());
            throw e;
        }
    }

    /** An upgrade request that broke HTTP or WebSocket rules (answered 4xx by the transport). */
    void handshakeRefused() {
        metrics.inputRefused("bad_handshake");
    }

    /** The upgrade succeeded: the client's connection, registered and greeted. */
    Connection open(Connection.Outlet socket) {
        connection = new Connection(claims, socket, config.limits().outboundQueueFrames(),
                config.limits().outboundQueueBytes(),
                new RateLimiter(config.limits().ratePerSecond(), config.limits().rateBurst(), System::nanoTime),
                nowMs.getAsLong(), metrics);
        registry.opened(connection);
        connection.offer(Frames.connected(connection.connectionId(), claims.clientId(), config.region(),
                config.nodeId(), config.heartbeatMs()));
        return connection;
    }

    /**
     * A data frame's header arrived (its payload not yet read): applies the hard frame limit to the message's joined
     * size as it grows, and the cap on fragments per message. Answers whether to read the payload; false when the
     * input was refused (the error frame and the close are queued; the reader drops what follows) or the connection
     * is closing anyway.
     */
    boolean onFrameStart(boolean first, long payloadLength) {
        Connection c = connection;
        if (c == null || c.state() != Connection.State.OPEN) {
            return false;
        }
        c.touch();
        FragmentBuffer partial = c.partial();
        if (first) {
            partial.release();
        }
        long joined = partial.length() + payloadLength;
        long limit = config.limits().maxFrameBytes();
        if (joined > limit) {
            partial.release();
            refuse(c, "frame_too_large", ErrorCode.TOO_LARGE, CloseCodes.TOO_BIG, DisconnectReason.FRAME_TOO_LARGE,
                    (first ? "frame" : "message") + " over the hard limit of " + limit + " bytes; closing");
            return false;
        }
        if (!first) {
            metrics.fragmentIn(); // the first fragment of a message is counted once its frame proves not final
        }
        if (partial.fragments() + 1 > FragmentBuffer.MAX_FRAGMENTS_PER_MESSAGE) {
            partial.release();
            refuse(c, "too_many_fragments", ErrorCode.BAD_REQUEST, CloseCodes.POLICY_VIOLATION,
                    DisconnectReason.ABUSE, "message in more than " + FragmentBuffer.MAX_FRAGMENTS_PER_MESSAGE
                            + " fragments; closing");
            return false;
        }
        return true;
    }

    /** A text frame's payload: a whole message, or one fragment of it (joined as bytes, decoded once at the end). */
    void onTextFrame(byte[] payload, boolean first, boolean last) {
        Connection c = connection;
        if (c == null || c.state() != Connection.State.OPEN) {
            return;
        }
        FragmentBuffer partial = c.partial();
        if (first && last) {
            deliver(c, payload, 1);
            return;
        }
        if (first) {
            metrics.fragmentIn();
        }
        partial.append(payload);
        if (last) {
            int fragments = partial.fragments();
            deliver(c, partial.take(), fragments);
        }
    }

    private void deliver(Connection c, byte[] message, int fragments) {
        String text = Utf8.decodeStrict(message);
        if (text == null) {
            refuse(c, "invalid_utf8", ErrorCode.BAD_REQUEST, CloseCodes.INVALID_PAYLOAD,
                    DisconnectReason.INVALID_PAYLOAD, "message is not valid UTF-8; closing");
            return;
        }
        frames.handle(c, text, message.length, fragments);
    }

    /** Input the connection cannot go on from: an error frame, then the close. Counted once. */
    private void refuse(Connection c, String reason, ErrorCode code, int closeCode, DisconnectReason why,
                        String message) {
        metrics.inputRefused(reason);
        metrics.error(code.code());
        c.close(closeCode, message, why, Frames.error(null, code.code(), message));
    }

    /**
     * A binary frame (its payload dropped unread): answered with 400 at the end of its message. Its fragments count
     * like a text message's (same size and fragment limits), though nothing is kept.
     */
    void onBinaryFrame(long payloadLength, boolean last) {
        Connection c = connection;
        if (c == null) {
            return;
        }
        c.touch();
        c.partial().count(payloadLength);
        if (last) {
            c.partial().release();
            metrics.error(ErrorCode.BAD_REQUEST.code());
            c.offer(Frames.error(null, ErrorCode.BAD_REQUEST.code(),
                    "binary frames are not supported: send JSON text frames"));
        }
    }

    /** The client broke the WebSocket framing rules: close 1002. */
    void onProtocolError(String why) {
        Connection c = connection;
        if (c != null) {
            c.partial().release();
            metrics.inputRefused("protocol_error");
            c.close(CloseCodes.PROTOCOL_ERROR, why, DisconnectReason.ERROR);
        }
    }

    /** Input read and dropped after a refusal, while the close completes. */
    void onDiscarded(long bytes) {
        metrics.inputDiscarded(bytes);
    }

    void onPong() {
        Connection c = connection;
        if (c != null) {
            c.touch();
        }
    }

    void onPing() {
        Connection c = connection;
        if (c != null) {
            c.touch();
        }
    }

    /** The client's close frame arrived. */
    void onClose() {
        Connection c = connection;
        if (c != null) {
            c.partial().release();
            registry.closed(c);
        }
    }

    /** The socket is gone (closed by either side, reset, or cut off). */
    void onGone() {
        Connection c = connection;
        if (c != null) {
            c.partial().release();
            registry.closed(c);
        }
    }

    /** Creates the per-connection listeners. */
    public static java.util.function.Supplier<EdgeWebSocket> factory(Tokens tokens, FrameHandler frames,
                                                                  ConnectionRegistry registry, EdgeMetrics metrics,
                                                                  EdgeConfig config, LongSupplier nowMs,
                                                                  java.util.function.BooleanSupplier draining) {
        return () -> new EdgeWebSocket(tokens, frames, registry, metrics, config, nowMs, draining);
    }
}
