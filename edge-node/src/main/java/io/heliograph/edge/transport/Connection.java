package io.heliograph.edge.transport;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;


import io.heliograph.edge.delivery.DeliveryMetrics;
import io.heliograph.edge.delivery.OutboundFrame;
import io.heliograph.edge.delivery.Subscriber;
import io.heliograph.edge.observe.EdgeMetrics.DisconnectReason;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.protocol.limit.RateLimiter;

/**
 * One client WebSocket connection. Frames to the client go through a queue bounded in frames and in bytes, so fan-out never blocks on a
 * slow socket; a client whose queue overflows is closed (1013) and resumes from its last serial on reconnect rather
 * than silently losing messages.
 *
 * <p>The queue is drained by the socket's event loop ({@link Outlet}, a {@link WsSocket}): queuing a frame only flags
 * the socket for its loop, which writes every frame waiting in one system call, from the frames' pre-encoded bytes
 * (a fanned-out message is encoded once for all its subscribers). No thread belongs to a connection: under load, the
 * more frames wait, the fewer system calls each costs, and an idle connection costs nothing but its objects.
 */
public final class Connection implements Subscriber {

    /** Lifecycle: OPEN until a close is requested, CLOSING until the socket is gone, then CLOSED. */
    enum State { OPEN, CLOSING, CLOSED }

    /** Requests a connection may have waiting for the region before more are refused with 429. */
    static final int MAX_REQUESTS_IN_FLIGHT = 1024;
    /** Bytes of request frames a connection may have waiting before more are refused with 429. */
    static final long MAX_REQUEST_BYTES_QUEUED = 1024 * 1024;
    private static final Object PING = new Object();

    /** The socket a connection's frames leave by; it pulls them with {@link #nextOutbound}. */
    interface Outlet {
        /** Frames are waiting: write them soon (any thread; cheap when already flagged). */
        void flushSoon();

        /** Closes the socket now, without a close handshake (any thread). */
        void terminate();

        boolean isOpen();
    }

    private final String connectionId = "c-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private final TokenClaims claims;
    private final Outlet socket;
    private final ConcurrentLinkedQueue<Object> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final int queueCapacity;
    private final long queueCapacityBytes;
    private final long openedAtMs;
    private final RateLimiter rateLimiter;
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    /** Channels this connection entered, with the data it entered with (JSON text, or "" for none). */
    private final ConcurrentHashMap<String, String> presence = new ConcurrentHashMap<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private volatile State state = State.OPEN;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile long closeRequestedNanos;
    /** Told once, when a close is first requested (the registry keeps closes in progress apart). */
    private volatile Consumer<Connection> closeRequestedListener;
    private volatile int closeCode;
    private volatile String closeReason;
    private volatile DisconnectReason disconnectReason = DisconnectReason.CLIENT;
    /** The message being received in fragments; holds memory only while one is in progress. */
    private final FragmentBuffer partial = new FragmentBuffer();
    private final ConcurrentLinkedQueue<QueuedRequest> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requestsQueued = new AtomicInteger();
    private final AtomicLong requestBytesQueued = new AtomicLong();
    private final AtomicBoolean requestWorkerRunning = new AtomicBoolean();
    private final DeliveryMetrics deliveryMetrics;
    /** History streamed to this connection waits here for the queue to drain (see {@link #awaitRoom}). */
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private final AtomicInteger roomWaiters = new AtomicInteger();
    /** Created when the upgrade succeeded, on the socket's event loop. */
    Connection(TokenClaims claims, Outlet socket, int queueCapacity, long queueCapacityBytes,
               RateLimiter rateLimiter, long openedAtMs, DeliveryMetrics deliveryMetrics) {
        this.claims = claims;
        this.deliveryMetrics = deliveryMetrics;
        this.socket = socket;
        this.queueCapacity = queueCapacity;
        this.queueCapacityBytes = queueCapacityBytes;
        this.rateLimiter = rateLimiter;
        this.openedAtMs = openedAtMs;
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

    /** The channels this connection is present on; removing one forgets it. */
    Set<String> presenceChannels() {
        return presence.keySet();
    }

    void entered(String channel, String dataJson) {
        presence.put(channel, dataJson == null ? "" : dataJson);
    }

    /** The presence this connection holds, channel to data (null when entered without data). */
    java.util.Map<String, String> presence() {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        presence.forEach((channel, data) -> out.put(channel, data.isEmpty() ? null : data));
        return out;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    FragmentBuffer partial() {
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

    long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** False once the socket is gone, whoever closed it. */
    boolean transportOpen() {
        return socket.isOpen();
    }

    long closeRequestedNanos() {
        return closeRequestedNanos;
    }

    /** The answer to {@link #submit}: queued, or refused (429) for the bound it would pass. */
    enum Admission { ACCEPTED, TOO_MANY_REQUESTS, TOO_MANY_BYTES }

    /**
     * Queues a request to run after the connection's earlier ones, on a virtual thread of its own, so that a request
     * waiting on the region (a publish to a partition whose owner just died) never stops the event loop. Refused when
     * {@link #MAX_REQUESTS_IN_FLIGHT} wait already, or when the waiting requests' frames would pass
     * {@link #MAX_REQUEST_BYTES_QUEUED}: a parsed request holds its frame's text, so the count alone would let one
     * connection hold 1,024 frames of 80 KiB.
     *
     * @param bytes the request frame's size on the wire
     */
    Admission submit(Runnable request, long bytes) {
        if (requestsQueued.incrementAndGet() > MAX_REQUESTS_IN_FLIGHT) {
            requestsQueued.decrementAndGet();
            return Admission.TOO_MANY_REQUESTS;
        }
        if (requestBytesQueued.addAndGet(bytes) > MAX_REQUEST_BYTES_QUEUED) {
            requestBytesQueued.addAndGet(-bytes);
            requestsQueued.decrementAndGet();
            return Admission.TOO_MANY_BYTES;
        }
        requests.add(new QueuedRequest(request, bytes));
        startRequestWorker();
        return Admission.ACCEPTED;
    }

    private record QueuedRequest(Runnable work, long bytes) {
    }

    private void startRequestWorker() {
        if (requestWorkerRunning.compareAndSet(false, true)) {
            Thread.ofVirtual().name("ws-requests-" + connectionId).start(this::runRequests);
        }
    }

    private void runRequests() {
        while (true) {
            QueuedRequest request;
            while ((request = requests.poll()) != null) {
                try {
                    request.work().run();
                } finally {
                    requestBytesQueued.addAndGet(-request.bytes());
                    requestsQueued.decrementAndGet();
                }
            }
            requestWorkerRunning.set(false);
            // A request queued after the last poll but before the flag dropped would otherwise wait forever.
            if (requests.isEmpty() || !requestWorkerRunning.compareAndSet(false, true)) {
                return;
            }
        }
    }

    @Override
    public Offer offer(OutboundFrame frame) {
        if (state != State.OPEN) {
            return Offer.CLOSED;
        }
        int bytes = frame.wire().length;
        int frames = queued.incrementAndGet();
        long total = queuedBytes.addAndGet(bytes);
        if (frames > queueCapacity || total > queueCapacityBytes) {
            queued.decrementAndGet();
            queuedBytes.addAndGet(-bytes);
            close(CloseCodes.TRY_AGAIN_LATER, "client too slow: outbound queue full", DisconnectReason.SLOW_CONSUMER);
            return Offer.FULL;
        }
        outbound.add(frame);
        scheduleDrain();
        return Offer.QUEUED;
    }

    @Override
    public boolean awaitRoom(int frames, long bytes, long timeoutNs) throws InterruptedException {
        long remaining = timeoutNs;
        roomWaiters.incrementAndGet();
        roomLock.lock();
        try {
            while (!hasRoom(frames, bytes)) {
                if (state != State.OPEN || remaining <= 0) {
                    return false;
                }
                remaining = room.awaitNanos(remaining);
            }
            return state == State.OPEN;
        } finally {
            roomLock.unlock();
            roomWaiters.decrementAndGet();
        }
    }

    private boolean hasRoom(int frames, long bytes) {
        int q = queued.get();
        return q == 0 || (q + frames <= queueCapacity / 2 && queuedBytes.get() + bytes <= queueCapacityBytes / 2);
    }

    /** Wakes history streams waiting for room, after the socket wrote what it took or the connection closed. */
    private void signalRoom() {
        if (roomWaiters.get() > 0) {
            roomLock.lock();
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    @Override
    public void abandon(Abandon why) {
        if (why == Abandon.SLOW) {
            close(CloseCodes.TRY_AGAIN_LATER, "client too slow: history could not be delivered",
                    DisconnectReason.SLOW_CONSUMER);
        } else {
            close(CloseCodes.INTERNAL_ERROR, "channel stream could not be repaired; reconnect and resume",
                    DisconnectReason.ERROR);
        }
    }

    void ping() {
        if (state == State.OPEN) {
            queued.incrementAndGet();
            outbound.add(PING);
            scheduleDrain();
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
            discardQueue();
        }
        if (lastFrame != null) {
            OutboundFrame last = OutboundFrame.of(lastFrame);
            queued.incrementAndGet();
            queuedBytes.addAndGet(last.wire().length);
            outbound.add(last);
        }
        state = State.CLOSING;
        Consumer<Connection> listener = closeRequestedListener;
        if (listener != null) {
            listener.accept(this);
        }
        signalRoom();
        scheduleDrain();
    }

    void whenCloseRequested(Consumer<Connection> listener) {
        closeRequestedListener = listener;
    }

    void markClosed() {
        state = State.CLOSED;
        closeRequested.set(true);
        discardQueue();
        signalRoom();
    }

    /** Throws away what is still queued, counting the messages: the client resumes from its last serial. */
    private void discardQueue() {
        int messages = 0;
        Object item;
        while ((item = poll()) != null) {
            if (item instanceof OutboundFrame frame && frame.isMessage()) {
                messages++;
            }
        }
        if (messages > 0) {
            if (disconnectReason == DisconnectReason.SLOW_CONSUMER) {
                deliveryMetrics.droppedSlowConsumer(messages);
            } else {
                deliveryMetrics.droppedConnectionClosed(messages);
            }
        }
    }

    /** Takes the next queued item, keeping the frame and byte counts. */
    private Object poll() {
        Object item = outbound.poll();
        if (item != null) {
            queued.decrementAndGet();
            if (item instanceof OutboundFrame frame) {
                queuedBytes.addAndGet(-frame.wire().length);
            }
        }
        return item;
    }

    private void scheduleDrain() {
        socket.flushSoon();
    }

    // ---- what the socket pulls (its event loop) ----

    /** The next frame to write (an {@link OutboundFrame} or a ping marker), or null; nothing once closed. */
    Object nextOutbound() {
        return state == State.CLOSED ? null : poll();
    }

    /**
     * The close frame may go now: the connection is closing and everything before it was taken. The socket sends it
     * once (it keeps that flag itself, as it also sends the close that answers a client's).
     */
    boolean closeFrameDue() {
        return state == State.CLOSING && outbound.isEmpty();
    }

    int closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    /** The socket wrote what it took: history streams waiting for room may go on. */
    void wrote() {
        signalRoom();
    }

    /**
     * Forcefully ends a connection that did not complete its close in time: a client that stopped reading cannot
     * receive a close frame, so its socket is simply closed. Never blocks the caller.
     */
    void terminate() {
        markClosed();
        socket.terminate();
    }
}
