package io.heliograph.edge.transport;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;

/**
 * Upgrades {@code GET /v1/ws} to an {@link EdgeWsConnection}, our own WebSocket reader, instead of Helidon's. The
 * handshake is Helidon's (key, version and origin checks, accept hash); the token is checked in
 * {@link EdgeWebSocket#onHttpUpgrade} before any socket is granted. Other paths are left to HTTP routing.
 */
public final class EdgeWsUpgrader extends WsUpgrader {

    private static final String SUPPORTED_VERSION = "13";

    private final String path;
    private final Supplier<EdgeWebSocket> listeners;

    private EdgeWsUpgrader(String path, Supplier<EdgeWebSocket> listeners) {
        super(WsConfig.create());
        this.path = path;
        this.listeners = listeners;
    }

    /**
     * An HTTP/1.1 connection selector whose WebSocket upgrades at {@code path} go to our connection; registered on the
     * server ahead of Helidon's own, so it is the one that serves HTTP/1.1.
     */
    public static ServerConnectionSelector selector(String path, Supplier<EdgeWebSocket> listeners) {
        return Http1ConnectionSelector.builder()
                .config(Http1Config.create())
                .addUpgrader(new EdgeWsUpgrader(path, listeners))
                .build();
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        if (!path.equals(prologue.uriPath().path())) {
            return null;
        }
        if (prologue.method() != Method.GET) {
            throw badRequest("WebSocket upgrade must use GET");
        }
        if (!headers.contains(WS_KEY)) {
            throw badRequest("Missing Sec-WebSocket-Key header");
        }
        String key = headers.get(WS_KEY).get();
        String version = headers.contains(WS_VERSION) ? headers.get(WS_VERSION).get() : SUPPORTED_VERSION;
        if (!SUPPORTED_VERSION.equals(version)) {
            throw badRequest("Unsupported WebSocket Version");
        }
        if (headers.contains(HeaderNames.ORIGIN)) {
            validateOrigin(headers, headers.get(HeaderNames.ORIGIN).get());
        }
        EdgeWebSocket listener = listeners.get();
        Optional<Headers> extra = listener.onHttpUpgrade(prologue, headers);
        ServerResponseHeaders response = ServerResponseHeaders.create();
        extra.ifPresent(response::from);
        response.set(HeaderValues.create(HeaderNames.CONNECTION, "Upgrade"));
        response.set(HeaderValues.create(HeaderNames.UPGRADE, "websocket"));
        response.set(HeaderValues.create(HeaderNames.create("Sec-WebSocket-Accept"), hash(ctx, key)));
        BufferData head = BufferData.growing(256);
        head.write("HTTP/1.1 101 Switching Protocols\r\n".getBytes(StandardCharsets.US_ASCII));
        response.forEach(h -> h.writeHttp1Header(head));
        head.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        ctx.dataWriter().writeNow(head);
        return new EdgeWsConnection(ctx, prologue, listener);
    }

    private static RequestException badRequest(String message) {
        return RequestException.builder().type(DirectHandler.EventType.BAD_REQUEST).message(message).build();
    }
}
