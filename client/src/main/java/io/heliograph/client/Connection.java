package io.heliograph.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * One WebSocket to one edge node: reassembles fragmented text frames, serializes sends (the JDK refuses a send while
 * the previous one is pending) and applies flow control, so that a slow application stops reading from the socket
 * instead of growing an unbounded queue. One instance per attempt; the client ignores callbacks from old instances.
 */
final class Connection implements WebSocket.Listener {

    /** Receives what the socket brings; called on the WebSocket's thread, one call at a time. */
    interface Handler {
        void onFrame(Connection connection, String text);

        void onClosed(Connection connection, int code, String reason);

        void onFailure(Connection connection, Throwable error);
    }

    /** Stop reading while this many deliveries wait for the application... */
    static final int BACKLOG_HIGH = 4096;
    /** ...and read again once it is down to this many. */
    static final int BACKLOG_LOW = 1024;
    /** Larger frames are refused: the protocol's JSON bounds strings at 16 MiB. */
    static final int MAX_FRAME_CHARS = 32 * 1024 * 1024;

    private final URI uri;
    private final Handler handler;
    private final IntSupplier backlog;
    private final StringBuilder partial = new StringBuilder();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final long openedNs = System.nanoTime();
    private volatile WebSocket socket;
    private volatile long lastActivityNs = openedNs;
    private CompletableFuture<WebSocket> sendTail = CompletableFuture.completedFuture(null);

    /**
     * @param uri     the node's URL without the token, for logs and for reconnecting to the same node
     * @param backlog how many deliveries wait for the application
     */
    Connection(URI uri, Handler handler, IntSupplier backlog) {
        this.uri = uri;
        this.handler = handler;
        this.backlog = backlog;
    }

    URI uri() {
        return uri;
    }

    /** Opens the WebSocket, the token in the {@code access_token} query parameter (docs/protocol.md). */
    CompletableFuture<WebSocket> open(HttpClient http, String token, Duration timeout) {
        return http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(withToken(uri, token), this)
                .thenApply(ws -> {
                    socket = ws;
                    return ws;
                });
    }

    private static URI withToken(URI uri, String token) {
        String param = "access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        String text = uri.toString();
        int hash = text.indexOf('#');
        String base = hash < 0 ? text : text.substring(0, hash);
        return URI.create(base + (uri.getRawQuery() == null ? "?" : "&") + param);
    }

    /** Queues a text frame behind the ones already being sent. A failed send reports the connection as failed. */
    void send(String text) {
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        CompletableFuture<WebSocket> sent;
        synchronized (this) {
            sent = sendTail.thenCompose(ignored -> ws.sendText(text, true));
            sendTail = sent;
        }
        sent.whenComplete((ignored, error) -> {
            if (error != null) {
                handler.onFailure(this, error);
            }
        });
    }

    /** Starts a normal close; if the node does not answer soon, the socket is cut. */
    void close(int code, String reason) {
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        CompletableFuture<WebSocket> closing;
        synchronized (this) {
            closing = sendTail.handle((ignored, error) -> ws).thenCompose(w -> w.sendClose(code, reason));
            sendTail = closing;
        }
        closing.orTimeout(2, TimeUnit.SECONDS).whenComplete((ignored, error) -> {
            if (error != null) {
                ws.abort();
            }
        });
    }

    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    /** Milliseconds since the node last sent anything; 0 while reading is paused, since silence is then ours. */
    long idleMs() {
        if (paused.get()) {
            lastActivityNs = System.nanoTime();
            return 0;
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNs);
    }

    /** Called when the application has caught up: resumes reading if the backlog had paused it. */
    void resumeReading() {
        WebSocket ws = socket;
        if (ws != null && paused.compareAndSet(true, false)) {
            ws.request(1);
        }
    }

    private void requestNext(WebSocket ws) {
        if (backlog.getAsInt() < BACKLOG_HIGH) {
            ws.request(1);
            return;
        }
        paused.set(true);
        // The application may have caught up between the check and the flag; then nobody else would resume.
        if (backlog.getAsInt() < BACKLOG_HIGH && paused.compareAndSet(true, false)) {
            ws.request(1);
        }
    }

    private void touch() {
        lastActivityNs = System.nanoTime();
    }

    @Override
    public void onOpen(WebSocket ws) {
        socket = ws;
        touch();
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        touch();
        if (partial.length() + data.length() > MAX_FRAME_CHARS) {
            partial.setLength(0);
            ws.abort();
            handler.onFailure(this, new IllegalStateException("frame larger than " + MAX_FRAME_CHARS + " chars"));
            return null;
        }
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            if (partial.capacity() > 64 * 1024) {
                partial.trimToSize();
            }
            handler.onFrame(this, text);
        }
        requestNext(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        touch();
        requestNext(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        touch();
        requestNext(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        touch();
        requestNext(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        handler.onClosed(this, statusCode, reason);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        handler.onFailure(this, error);
    }

    @Override
    public String toString() {
        return "Connection[" + uri + "]";
    }
}
