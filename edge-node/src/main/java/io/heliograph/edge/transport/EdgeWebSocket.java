package io.heliograph.edge.transport;

import java.util.Optional;
import java.util.function.LongSupplier;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.edge.observe.EdgeMetrics.DisconnectReason;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.Utf8;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.auth.Tokens;

/**
 * The {@code /v1/ws} endpoint. Helidon creates one listener per connection (registered with a supplier), so the
 * fields below belong to exactly one client. The token is checked at the upgrade: a bad one never gets a socket.
 */
public final class EdgeWebSocket implements WsListener {

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

    /** Reads the bearer token from the {@code access_token} query parameter or the Authorization header. */
    static String bearerToken(HttpPrologue prologue, Headers headers) {
        if (prologue.query().contains("access_token")) {
            return prologue.query().get("access_token");
        }
        Optional<String> authorization = headers.first(HeaderNames.AUTHORIZATION);
        if (authorization.isPresent() && authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.get().substring(7).trim();
        }
        return null;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        try {
            if (draining.getAsBoolean()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "node is shutting down");
            }
            if (registry.size() >= config.limits().maxConnections()) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "node is at its connection limit");
            }
            claims = tokens.verify(bearerToken(prologue, headers));
            return Optional.empty();
        } catch (HeliographException e) {
            metrics.error(e.code().code());
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.create(e.code().code()))
                    .message(Json.write(errorBody(e)))
                    .safeMessage(true)
                    .header(HeaderValues.CONTENT_TYPE_JSON)
                    .build();
        }
    }

    private static java.util.Map<String, Object> errorBody(HeliographException e) {
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("code", e.code().code());
        body.put("message", e.getMessage());
        return body;
    }

    @Override
    public void onOpen(WsSession session) {
        connection = new Connection(claims, session, config.limits().outboundQueueFrames(),
                config.limits().outboundQueueBytes(),
                new RateLimiter(config.limits().ratePerSecond(), config.limits().rateBurst(), System::nanoTime),
                nowMs.getAsLong());
        registry.opened(connection);
        connection.offer(Frames.connected(connection.connectionId(), claims.clientId(), config.region(),
                config.nodeId(), config.heartbeatMs()));
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        Connection c = connection;
        if (c == null || c.state() != Connection.State.OPEN) {
            return;
        }
        c.touch();
        StringBuilder partial = c.partial();
        if (Utf8.exceeds(partial, config.limits().maxFrameBytes() - Utf8.encodedLength(text))) {
            partial.setLength(0);
            metrics.error(ErrorCode.TOO_LARGE.code());
            c.close(CloseCodes.TOO_BIG, "frame over the hard limit of " + config.limits().maxFrameBytes() + " bytes",
                    DisconnectReason.FRAME_TOO_LARGE, Frames.error(null, ErrorCode.TOO_LARGE.code(),
                            "frame over the hard limit of " + config.limits().maxFrameBytes() + " bytes; closing"));
            return;
        }
        if (!last || partial.length() > 0) {
            partial.append(text);
            if (!last) {
                return;
            }
            text = partial.toString();
            partial.setLength(0);
        }
        frames.handle(c, text, Utf8.encodedLength(text));
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        Connection c = connection;
        if (c == null) {
            return;
        }
        c.touch();
        if (last) {
            metrics.error(ErrorCode.BAD_REQUEST.code());
            c.offer(Frames.error(null, ErrorCode.BAD_REQUEST.code(),
                    "binary frames are not supported: send JSON text frames"));
        }
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        Connection c = connection;
        if (c != null) {
            c.touch();
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        Connection c = connection;
        if (c != null) {
            c.touch();
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        Connection c = connection;
        if (c != null) {
            if (status == CloseCodes.TOO_BIG && c.disconnectReason() == DisconnectReason.CLIENT) {
                metrics.error(ErrorCode.TOO_LARGE.code());
                c.close(status, reason, DisconnectReason.FRAME_TOO_LARGE);
            }
            registry.closed(c);
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        Connection c = connection;
        if (c != null) {
            c.close(CloseCodes.INTERNAL_ERROR, "error", DisconnectReason.ERROR);
            registry.closed(c);
        }
    }

    /** Creates the per-connection listeners. */
    public static java.util.function.Supplier<WsListener> factory(Tokens tokens, FrameHandler frames,
                                                                  ConnectionRegistry registry, EdgeMetrics metrics,
                                                                  EdgeConfig config, LongSupplier nowMs,
                                                                  java.util.function.BooleanSupplier draining) {
        return () -> new EdgeWebSocket(tokens, frames, registry, metrics, config, nowMs, draining);
    }
}
