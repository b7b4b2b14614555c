package io.heliograph.edge.transport;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;

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
 * <p>The queue is drained by a virtual thread started on demand that leaves after a few idle seconds, so an idle
 * connection holds no writer thread. The drain writes every queued frame in one socket write, using the frames'
 * pre-encoded bytes (a fanned-out message is encoded once for all its subscribers): under load, the more frames wait,
 * the fewer system calls each costs.
 */
public final class Connection implements Subscriber {

    /** Lifecycle: OPEN until a close is requested, CLOSING until the socket is gone, then CLOSED. */
    enum State { OPEN, CLOSING, CLOSED }

    /** Largest single write; a longer backlog is written in several. */
    private static final int MAX_BATCH_BYTES = 256 * 1024;
    /** Requests a connection may have waiting for the region before more are refused with 429. */
    static final int MAX_REQUESTS_IN_FLIGHT = 1024;
    /** Bytes of request frames a connection may have waiting before more are refused with 429. */
    static final long MAX_REQUEST_BYTES_QUEUED = 1024 * 1024;
    private static final Object PING = new Object();
    private static final long WRITER_IDLE_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private final String connectionId = "c-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    private final TokenClaims claims;
    private final WsSession session;
    private final ConnectionContext rawSocket;
    private final ConcurrentLinkedQueue<Object> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
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
    private volatile int closeCode;
    private volatile String closeReason;
    private volatile boolean closeFrameSent;
    private volatile DisconnectReason disconnectReason = DisconnectReason.CLIENT;
    /** The message being received in fragments; holds memory only while one is in progress. */
    private final FragmentBuffer partial = new FragmentBuffer();
    private final ConcurrentLinkedQueue<QueuedRequest> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requestsQueued = new AtomicInteger();
    private final AtomicLong requestBytesQueued = new AtomicLong();
    private final AtomicBoolean requestWorkerRunning = new AtomicBoolean();
    private volatile Thread writer;
    private final DeliveryMetrics deliveryMetrics;
    /** History streamed to this connection waits here for the queue to drain (see {@link #awaitRoom}). */
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition room = roomLock.newCondition();
    private final AtomicInteger roomWaiters = new AtomicInteger();
    /** Helidon's thread that reads this connection; it ends when the connection does. */
    private final Thread reader = Thread.currentThread();

    /** Created in {@code onOpen}, on the thread Helidon reads the connection with. */
    Connection(TokenClaims claims, WsSession session, int queueCapacity, long queueCapacityBytes,
               RateLimiter rateLimiter, long openedAtMs, DeliveryMetrics deliveryMetrics) {
        this.claims = claims;
        this.deliveryMetrics = deliveryMetrics;
        this.session = session;
        // Helidon's session sends one frame per write; its connection context lets us write several at once. Every
        // write is one call on the socket, so ours never interleave with Helidon's own (pongs, close replies).
        this.rawSocket = session.socketContext() instanceof ConnectionContext ctx ? ctx : null;
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

    boolean readerAlive() {
        return reader.isAlive();
    }

    long closeRequestedNanos() {
        return closeRequestedNanos;
    }

    /**
     * Queues a request to run after the connection's earlier ones, on a virtual thread of its own, so that a request
     * waiting on the region (a publish to a partition whose owner just died) never stops the reader. Answers false
     * when too many wait already.
     */
    /** The answer to {@link #submit}: queued, or refused (429) for the bound it would pass. */
    enum Admission { ACCEPTED, TOO_MANY_REQUESTS, TOO_MANY_BYTES }

    /**
     * Queues a request to run after the connection's earlier ones, on a virtual thread of its own, so that a request
     * waiting on the region (a publish to a partition whose owner just died) never stops the reader. Refused when
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

    /** Wakes history streams waiting for room, after the writer drained or the connection closed. */
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
        signalRoom();
        scheduleDrain();
    }

    void markClosed() {
        state = State.CLOSED;
        closeRequested.set(true);
        discardQueue();
        signalRoom();
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
        }
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
        if (draining.compareAndSet(false, true)) {
            // Assigned before it starts, so that a writer that finishes at once clears the field after us, not before.
            Thread w = Thread.ofVirtual().name("ws-writer-" + connectionId).unstarted(this::drain);
            writer = w;
            w.start();
        } else {
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * The writer stays while frames keep coming (a stream costs one wake-up per burst, not a thread start) and
     * leaves after {@link #WRITER_IDLE_NS} without work, so an idle connection holds no thread.
     */
    private void drain() {
        try {
            while (true) {
                boolean streaming = writeQueued();
                if (state == State.CLOSING && outbound.isEmpty() && !closeFrameSent) {
                    closeFrameSent = true;
                    session.close(closeCode, closeReason);
                }
                if (state == State.CLOSED) {
                    writer = null;
                    draining.set(false);
                    return;
                }
                // Linger only while channel messages flow (a stream costs one wake-up per burst, not a thread start);
                // after a heartbeat ping or a reply alone, leave at once: an idle connection pays no timed park.
                if (streaming && outbound.isEmpty()) {
                    LockSupport.parkNanos(this, WRITER_IDLE_NS);
                }
                if (outbound.isEmpty()) {
                    // Forget this thread before leaving: a finished virtual thread held here would keep its last
                    // stack chunk (several KiB) for as long as the connection lives.
                    writer = null;
                    draining.set(false);
                    // A frame queued after the last look but before the flag dropped would otherwise wait forever.
                    if (outbound.isEmpty() || !draining.compareAndSet(false, true)) {
                        return;
                    }
                    writer = Thread.currentThread();
                }
            }
        } catch (RuntimeException e) {
            // The socket is gone; Helidon reports the close, which cleans up.
            if (disconnectReason == DisconnectReason.CLIENT) {
                disconnectReason = DisconnectReason.ERROR;
            }
            discardQueue();
            writer = null;
            draining.set(false);
        }
    }

    /** Writes everything queued; answers whether any of it was a channel message. */
    private boolean writeQueued() {
        boolean messages = false;
        byte[] single = null;
        byte[] batch = null;
        int length = 0;
        Object item;
        while (state != State.CLOSED && (item = poll()) != null) {
            if (item == PING) {
                length = flush(single, batch, length);
                single = null;
                session.ping(BufferData.empty());
                continue;
            }
            OutboundFrame frame = (OutboundFrame) item;
            messages |= frame.isMessage();
            if (rawSocket == null) {
                session.send(frame.text(), true);
                continue;
            }
            byte[] wire = frame.wire();
            if (length > 0 && length + wire.length > MAX_BATCH_BYTES) {
                length = flush(single, batch, length);
                single = null;
            }
            if (length == 0) {
                single = wire;
                length = wire.length;
            } else {
                if (batch == null || batch.length < length + wire.length) {
                    byte[] grown = new byte[Math.max(MAX_BATCH_BYTES, length + wire.length)];
                    System.arraycopy(single != null ? single : batch, 0, grown, 0, length);
                    batch = grown;
                } else if (single != null) {
                    System.arraycopy(single, 0, batch, 0, length);
                }
                single = null;
                System.arraycopy(wire, 0, batch, length, wire.length);
                length += wire.length;
            }
        }
        flush(single, batch, length);
        signalRoom();
        return messages;
    }

    /** Writes what was gathered in one socket write; answers the new gathered length (0). */
    private int flush(byte[] single, byte[] batch, int length) {
        if (length == 0) {
            return 0;
        }
        BufferData data = single != null ? BufferData.create(single) : BufferData.create(batch, 0, length);
        rawSocket.dataWriter().writeNow(data);
        return 0;
    }

    /**
     * Forcefully ends a connection that did not complete its close in time: a client that stopped reading cannot
     * receive a close frame, so its socket is shut by interrupting Helidon's reader (which closes the channel). Never
     * blocks the caller.
     */
    void terminate() {
        markClosed();
        Thread.ofVirtual().start(() -> {
            if (session instanceof ServerConnection connection) {
                connection.close(true);
            } else {
                try {
                    session.terminate();
                } catch (RuntimeException ignored) {
                    // terminate() ends by throwing; the socket is being closed either way
                }
            }
        });
    }
}
