package io.heliograph.edge.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.Json;

/**
 * A raw Protocol v1 test client on the JDK's WebSocket: sends any text or binary frame, and lets a test await the
 * frames it receives and the close code. Used where the SDK would hide what is on the wire.
 */
public final class WsProbe implements AutoCloseable {

    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final WebSocket socket;
    private final List<JsonNode> seen = new ArrayList<>();
    /** The exact text each received frame arrived as, for tests that check what is on the wire byte for byte. */
    private final java.util.Map<JsonNode, String> rawText =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    private WsProbe(String url) {
        StringBuilder partial = new StringBuilder();
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String text = partial.toString();
                            JsonNode frame = Json.parse(text);
                            rawText.put(frame, text);
                            frames.add(frame);
                            partial.setLength(0);
                        }
                        requestNext(ws);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closeCode.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closeCode.complete(-1);
                    }
                }).orTimeout(10, TimeUnit.SECONDS).join();
    }

    private boolean readingPaused;
    private long owedRequests;

    private synchronized void requestNext(WebSocket ws) {
        if (readingPaused) {
            owedRequests++;
        } else {
            ws.request(1);
        }
    }

    /** Stops reading from the socket, as a client that stalls does: the server's writes back up. */
    public synchronized WsProbe pauseReading() {
        readingPaused = true;
        return this;
    }

    public synchronized WsProbe resumeReading() {
        readingPaused = false;
        if (owedRequests > 0) {
            socket.request(owedRequests);
            owedRequests = 0;
        }
        return this;
    }

    public static WsProbe connect(String wsUrl, String token) {
        return new WsProbe(wsUrl + "?access_token=" + token);
    }

    public WsProbe send(String text) {
        socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    public WsProbe sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
        return this;
    }

    /** Sends a request frame built from JSON text with {@code 'id'} quotes allowed as single quotes. */
    public WsProbe request(String jsonWithSingleQuotes) {
        return send(jsonWithSingleQuotes.replace('\'', '"'));
    }

    /** The next received frame matching {@code which}; earlier non-matching frames are kept for later. */
    public JsonNode await(Predicate<JsonNode> which, Duration timeout) {
        for (JsonNode f : seen) {
            if (which.test(f)) {
                seen.remove(f);
                return f;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching frame within " + timeout + "; unmatched: " + seen);
                }
                JsonNode f = frames.poll(left, TimeUnit.NANOSECONDS);
                if (f == null) {
                    continue;
                }
                if (which.test(f)) {
                    return f;
                }
                seen.add(f);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The exact text {@code frame} (a frame this probe received) arrived as. */
    public String rawText(JsonNode frame) {
        return rawText.get(frame);
    }

    public JsonNode awaitReply(String id) {
        return await(f -> id.equals(f.path("id").asText(null)), Duration.ofSeconds(10));
    }

    public JsonNode awaitType(String type) {
        return await(f -> type.equals(f.path("type").asText()), Duration.ofSeconds(10));
    }

    /** Every frame of {@code type} received within {@code window} (which is waited out in full). */
    public List<JsonNode> collect(String type, int count, Duration timeout) {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            try {
                out.add(await(f -> type.equals(f.path("type").asText()),
                        Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
            } catch (AssertionError e) {
                break;
            }
        }
        return out;
    }

    public int awaitClose(Duration timeout) {
        return closeCode.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    /** Ends the TCP connection without a close frame, as a crashed client or a lost network would. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).join();
        } catch (RuntimeException ignored) {
            // already closed by the server
        }
        socket.abort();
    }
}
