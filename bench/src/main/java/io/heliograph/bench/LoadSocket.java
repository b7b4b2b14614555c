package io.heliograph.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One benchmark connection on {@code java.net.http.WebSocket}: lighter than the SDK for thousands of sockets in one
 * process, and it speaks Protocol v1 frames directly. Message frames go to a {@link MessageSink} untouched; the few
 * control frames (connected, attached, ack, error) are parsed and complete the matching futures.
 */
final class LoadSocket implements WebSocket.Listener, BenchSocket {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Receives every {@code message} frame, on the socket's delivery thread; must not block. */
    interface MessageSink {
        void onMessage(String frame);

        /** A control frame the socket does not handle itself (ack, error, redirect, ...). */
        void onControl(String type, JsonNode frame);
    }

    private final MessageSink sink;
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<JsonNode> connected = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<JsonNode>> pendingAttach = new AtomicReference<>();
    private volatile WebSocket socket;

    private LoadSocket(MessageSink sink) {
        this.sink = sink;
    }

    /** Opens a socket; the future completes with it once the server's {@code connected} frame has arrived. */
    static CompletableFuture<LoadSocket> open(HttpClient client, URI wsUrl, String token, MessageSink sink,
                                              Duration timeout) {
        LoadSocket listener = new LoadSocket(sink);
        URI uri = URI.create(wsUrl + (wsUrl.getQuery() == null ? "?" : "&") + "access_token=" + token);
        return client.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, listener)
                .thenCompose(ws -> listener.connected)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(frame -> listener);
    }

    /** Attaches to {@code channel}; completes with the {@code attached} frame. */
    @Override
    public CompletableFuture<JsonNode> attach(String channel, Duration timeout) {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        if (!pendingAttach.compareAndSet(null, reply)) {
            return CompletableFuture.failedFuture(new IllegalStateException("attach already in flight"));
        }
        socket.sendText("{\"type\":\"attach\",\"id\":\"a\",\"channel\":\"" + channel + "\"}", true);
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends one text frame; the caller must not send again before the returned future completes. */
    CompletableFuture<WebSocket> send(String frame) {
        return socket.sendText(frame, true);
    }

    CompletableFuture<Integer> closed() {
        return closed;
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone();
    }

    /** Closes politely; the caller bounds the wait and then calls {@link #abort()}. */
    @Override
    public CompletableFuture<?> close() {
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        return ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").exceptionally(e -> null);
    }

    @Override
    public void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        closed.complete(-1);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.socket = webSocket;
        // Frames are consumed synchronously in onText, so there is nothing to push back against.
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (!last) {
            partial.append(data);
            return null;
        }
        String frame;
        if (partial.isEmpty()) {
            frame = data.toString();
        } else {
            frame = partial.append(data).toString();
            partial.setLength(0);
        }
        if (LatencyPayload.sendNs(frame) >= 0) {
            sink.onMessage(frame);
            return null;
        }
        control(frame);
        return null;
    }

    private void control(String text) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (java.io.IOException e) {
            sink.onControl("unparsable", null);
            return;
        }
        String type = frame.path("type").asText();
        switch (type) {
            case "connected" -> connected.complete(frame);
            case "attached" -> {
                CompletableFuture<JsonNode> reply = pendingAttach.getAndSet(null);
                if (reply != null) {
                    reply.complete(frame);
                }
            }
            case "error" -> {
                CompletableFuture<JsonNode> reply = "a".equals(frame.path("id").asText())
                        ? pendingAttach.getAndSet(null) : null;
                if (reply != null) {
                    reply.completeExceptionally(new IllegalStateException("attach refused: " + text));
                } else {
                    sink.onControl(type, frame);
                }
            }
            default -> sink.onControl(type, frame);
        }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
        sink.onControl("binary", null);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        connected.completeExceptionally(error);
        closed.complete(-1);
    }
}
