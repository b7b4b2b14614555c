package io.heliograph.bridge.outbound;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells waiters when one peer has acknowledged a {@code link_seq}. One thread reads the log's acknowledged position
 * every few milliseconds, and only while someone waits: the cost is a read per poll, whatever the publish rate,
 * instead of a read per publish. Positions only grow, so every waiter at or below the position read is done.
 */
final class AckWatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AckWatch.class.getName());

    private final OutboundLog log;
    private final long pollNanos;
    private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiters = new ConcurrentSkipListMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition someoneWaits = lock.newCondition();
    private final Thread poller;
    private volatile boolean running = true;
    private volatile long acknowledged;

    AckWatch(OutboundLog log, long pollMs) {
        this.log = log;
        this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMs);
        this.poller = Thread.ofPlatform().daemon().name("ack-watch-" + log.peerRegion()).start(this::run);
    }

    /** Completes once the peer has acknowledged {@code linkSeq} (at once when it already has). */
    CompletableFuture<Void> whenAcknowledged(long linkSeq) {
        if (linkSeq <= acknowledged) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = waiters.computeIfAbsent(linkSeq, k -> new CompletableFuture<>());
        lock.lock();
        try {
            someoneWaits.signal();
        } finally {
            lock.unlock();
        }
        // The position may have moved between the first check and the registration.
        completeThrough(acknowledged);
        return done;
    }

    /** Stops waiting for {@code linkSeq} (its publisher gave up). */
    void forget(long linkSeq, CompletableFuture<Void> future) {
        waiters.remove(linkSeq, future);
    }

    private void run() {
        while (running) {
            try {
                lock.lock();
                try {
                    while (running && waiters.isEmpty()) {
                        someoneWaits.await(1, TimeUnit.SECONDS);
                    }
                } finally {
                    lock.unlock();
                }
                if (!running) {
                    return;
                }
                long position = log.status().acknowledged();
                if (position > acknowledged) {
                    acknowledged = position;
                }
                completeThrough(acknowledged);
                TimeUnit.NANOSECONDS.sleep(pollNanos);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Storage briefly unavailable: the waiters time out on their own deadline; keep watching.
                LOG.log(System.Logger.Level.DEBUG, "reading the acknowledgement of " + log.peerRegion() + " failed: "
                        + e.getMessage());
                try {
                    TimeUnit.NANOSECONDS.sleep(pollNanos * 10);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void completeThrough(long position) {
        Map.Entry<Long, CompletableFuture<Void>> first;
        while ((first = waiters.firstEntry()) != null && first.getKey() <= position) {
            if (waiters.remove(first.getKey(), first.getValue())) {
                first.getValue().complete(null);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
