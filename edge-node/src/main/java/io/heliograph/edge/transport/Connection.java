package io.heliograph.edge.transport;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;

import io.heliograph.edge.delivery.Subscriber;
import io.heliograph.edge.observe.EdgeMetrics.DisconnectReason;
import io.heliograph.protocol.auth.TokenClaims;

/**
 * One client WebSocket connection. Frames to the client go through a bounded queue drained by the connection's own
 * virtual thread, so fan-out never blocks on a slow socket; a client whose queue overflows is closed (1013) and
 * resumes from its last serial on reconnect rather than silently losing messages.
 */
public final class Connection implements Subscriber {

    /** Lifecycle: OPEN until a close is requested, CLOSING until the socket is gone. */
    enum State { OPEN, CLOSING, CLOSED }

    private static final Object PING = new Object();
    private static final Object WAKE = new Object();

    private final String connectionId = "c-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private final TokenClaims claims;
    private final WsSession session;
    private final LinkedBlockingQueue<Object> outbound;
    private final long openedAtMs;
    private final RateLimiter rateLimiter;
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    private final Set<String> presenceChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile State state = State.OPEN;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile long closeRequestedNanos;
    private volatile int closeCode;
    private volatile String closeReason;
    private volatile DisconnectReason disconnectReason = DisconnectReason.CLIENT;
    private final StringBuilder partial = new StringBuilder();
    private Thread writer;

    Connection(TokenClaims claims, WsSession session, int queueCapacity, RateLimiter rateLimiter, long openedAtMs) {
        this.claims = claims;
        this.session = session;
        this.outbound = new LinkedBlockingQueue<>(queueCapacity);
        this.rateLimiter = rateLimiter;
        this.openedAtMs = openedAtMs;
    }

    void start() {
        writer = Thread.ofVirtual().name("ws-writer-" + connectionId).start(this::drain);
    }

    @Override
    public String connectionId() {
        return connectionId;
    }

    public TokenClaims claims() {
        return claims;
    }

    Set<String> channels() {
        return channels;
    }

    Set<String> presenceChannels() {
        return presenceChannels;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    StringBuilder partial() {
        return partial;
    }

    long openedAtMs() {
        return openedAtMs;
    }

    State state() {
        return state;
    }

    DisconnectReason disconnectReason() {
        return disconnectReason;
    }

    void touch() {
        lastSeenNanos = System.nanoTime();
    }

    long closeRequestedNanos() {
        return closeRequestedNanos;
    }

    long lastSeenNanos() {
        return lastSeenNanos;
    }

    @Override
    public boolean offer(String frame) {
        if (state != State.OPEN) {
            return false;
        }
        if (outbound.offer(frame)) {
            return true;
        }
        close(CloseCodes.TRY_AGAIN_LATER, "client too slow: outbound queue full", DisconnectReason.SLOW_CONSUMER);
        return false;
    }

    void ping() {
        if (state == State.OPEN) {
            outbound.offer(PING);
        }
    }

    /** Sends a last frame (if any) and closes; only the first call counts. */
    void close(int code, String reason, DisconnectReason why) {
        close(code, reason, why, null);
    }

    void close(int code, String reason, DisconnectReason why, String lastFrame) {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        closeRequestedNanos = System.nanoTime();
        closeCode = code;
        closeReason = reason;
        disconnectReason = why;
        if (why == DisconnectReason.SLOW_CONSUMER) {
            outbound.clear();
        }
        if (lastFrame != null && !outbound.offer(lastFrame)) {
            outbound.clear();
            outbound.offer(lastFrame);
        }
        state = State.CLOSING;
        outbound.offer(WAKE);
    }

    void markClosed() {
        state = State.CLOSED;
        closeRequested.set(true);
        outbound.clear();
        outbound.offer(WAKE);
    }

    private void drain() {
        try {
            while (state != State.CLOSED) {
                // take(), not a timed poll: ten thousand idle connections must cost no wake-ups.
                Object item = outbound.take();
                if (item instanceof String frame) {
                    session.send(frame, true);
                } else if (item == PING) {
                    session.ping(BufferData.empty());
                }
                if (state == State.CLOSING && outbound.isEmpty()) {
                    session.close(closeCode, closeReason);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The socket is gone; Helidon reports the close, which cleans up.
            disconnectReason = disconnectReason == DisconnectReason.CLIENT ? DisconnectReason.ERROR
                    : disconnectReason;
            try {
                session.terminate();
            } catch (RuntimeException ignored) {
                // already terminated
            }
        }
    }

    /** Forcefully ends a connection that did not complete its close in time. */
    void terminate() {
        try {
            session.terminate();
        } catch (RuntimeException ignored) {
            // already gone
        }
        if (writer != null) {
            writer.interrupt();
        }
    }
}
