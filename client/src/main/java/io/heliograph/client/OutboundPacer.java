package io.heliograph.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import io.heliograph.protocol.limit.TokenBucket;

/**
 * Keeps one connection's outbound frames under the edge's rate limit. The edge refuses a frame beyond its token
 * bucket with a 429 that names no request, and closes the connection with 1008 after as many refusals as its burst:
 * a client that sends a large restore at once (1,000 re-attaches) would lose channels silently and then the
 * connection. So every frame waits here, in order, until the client's own bucket, which runs below the edge's, has a
 * token for it.
 *
 * <p>Frames leave on the client's timer thread, one drain at a time, so their order is the order they were queued.
 * The {@code beforeSend} callbacks run outside the pacer's lock: they take the client's lock, which may be held by a
 * thread queueing a frame here.
 */
final class OutboundPacer {

    /** Share of the edge's rate the client uses: the rest absorbs timing differences between the two clocks. */
    static final double RATE_SHARE = 0.9;
    /** The slowest a pacer gets after refusals: a frame a second still restores 1,000 channels in a quarter hour. */
    static final double MIN_RATE_PER_SECOND = 1;
    /** How long sending stops after a refusal: the edge's bucket is empty, let it refill. */
    static final long PAUSE_AFTER_REFUSAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** The longest a drain sleeps before looking again, so that a clock moved by a test is noticed soon. */
    private static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private record Outbound(String frame, BooleanSupplier beforeSend) {
    }

    private final Consumer<String> transport;
    private final ScheduledExecutorService timers;
    private final LongSupplier nanoTime;
    private final TokenBucket bucket;
    private final Object drainLock = new Object();
    // Guarded by this.
    private final Deque<Outbound> queue = new ArrayDeque<>();
    private boolean drainScheduled;
    private boolean closed;
    private long pausedUntilNs;
    private final AtomicLong delayed;

    /**
     * @param edgeRatePerSecond the edge's limit; the pacer sends at {@link #RATE_SHARE} of it
     * @param edgeBurst         the edge's burst; the pacer bursts at most half of it, so frames bunched up on the
     *                          way (a stalled network, a paused reader) still fit in what the edge has saved
     * @param delayed           counts frames that could not leave at once
     */
    OutboundPacer(Consumer<String> transport, ScheduledExecutorService timers, double edgeRatePerSecond,
                  int edgeBurst, LongSupplier nanoTime, AtomicLong delayed) {
        this.transport = transport;
        this.delayed = delayed;
        this.timers = timers;
        this.nanoTime = nanoTime;
        this.bucket = new TokenBucket(edgeRatePerSecond * RATE_SHARE, Math.max(1, edgeBurst / 2), nanoTime);
    }

    /**
     * Queues a frame behind the ones already waiting.
     *
     * @param beforeSend called when the frame's turn and token have come, just before it is handed to the socket (so
     *                   that its answer cannot come first); false drops it, as its request was given up meanwhile
     */
    void send(String frame, BooleanSupplier beforeSend) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!queue.isEmpty() || drainScheduled) {
                delayed.incrementAndGet();
            }
            queue.add(new Outbound(frame, beforeSend));
            if (drainScheduled) {
                return;
            }
            drainScheduled = true;
        }
        schedule(0);
    }

    /**
     * The edge refused a frame: it is out of tokens, so stop for a moment and start again from an empty bucket, at half
     * the rate (for the rest of this connection): an edge whose real limit is below the configured one is then met
     * after a few refusals, not after the burst's worth that closes the connection.
     */
    synchronized void refusedByEdge() {
        bucket.empty();
        bucket.halveRate(MIN_RATE_PER_SECOND);
        pausedUntilNs = nanoTime.getAsLong() + PAUSE_AFTER_REFUSAL_NS;
    }

    /** Drops whatever waits: the connection is gone, and the next one restores from the client's own state. */
    synchronized void close() {
        closed = true;
        queue.clear();
    }

    synchronized int waiting() {
        return queue.size();
    }

    private void drain() {
        synchronized (drainLock) {
            List<Outbound> batch = new ArrayList<>();
            long waitNs = -1;
            synchronized (this) {
                drainScheduled = false;
                if (closed) {
                    return;
                }
                long now = nanoTime.getAsLong();
                while (!queue.isEmpty()) {
                    if (now < pausedUntilNs) {
                        waitNs = pausedUntilNs - now;
                        break;
                    }
                    if (!bucket.tryTake()) {
                        waitNs = bucket.nanosUntilNext();
                        break;
                    }
                    batch.add(queue.poll());
                }
                if (waitNs >= 0) {
                    drainScheduled = true;
                }
            }
            int dropped = 0;
            for (Outbound o : batch) {
                if (o.beforeSend().getAsBoolean()) {
                    transport.accept(o.frame());
                } else {
                    dropped++;
                }
            }
            if (dropped > 0) {
                // A request given up while it waited (an expired publish) must not cost the ones behind it their turn.
                synchronized (this) {
                    for (int i = 0; i < dropped; i++) {
                        bucket.giveBack();
                    }
                    if (!queue.isEmpty() && !drainScheduled) {
                        drainScheduled = true;
                        waitNs = 0;
                    }
                }
            }
            if (waitNs >= 0) {
                schedule(Math.min(waitNs, MAX_SLEEP_NS));
            }
        }
    }

    private void schedule(long delayNs) {
        try {
            timers.schedule(this::drain, delayNs, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The client is closed: nothing will be sent any more.
        }
    }
}
