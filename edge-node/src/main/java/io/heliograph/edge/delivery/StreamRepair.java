package io.heliograph.edge.delivery;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.heliograph.edge.delivery.ChannelDispatcher.Progress;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryPage;

/**
 * The one way history reaches a stream that is behind the region's log: a subscriber catching up after attach or
 * resume, and a node's own stream with a gap, a lost last message or a stretch it missed while cut off. History is read
 * in pages bounded by count and bytes, each page only once the stream has room for it, so no client is ever handed
 * more than its socket drains and no node holds a whole history for one client. A failed read is retried with
 * backoff; when storage keeps failing the stream is abandoned and its subscribers are closed to resume later, never
 * left attached and silent.
 */
final class StreamRepair {

    /** A stream behind the log. {@link #accept} runs under the dispatcher's lock; the rest may block briefly. */
    interface Stream {
        String channel();

        /** History is read after this serial (null: from the oldest kept). */
        Serial position();

        /** False once the stream needs nothing more (caught up, detached, closed). */
        boolean wanted();

        /** Waits until the stream can take the page; false when it cannot (closed, or not draining). */
        boolean awaitRoom(HistoryPage page) throws InterruptedException;

        Progress accept(HistoryPage page);

        /** Storage kept failing, or the stream did not drain: give it up so that its clients resume elsewhere. */
        void abandon(Subscriber.Abandon why);

        /** Called once when the repair ends, whatever the reason. */
        default void ended() {
        }
    }

    /** Messages per page: also what a catch-up adds at most to a subscriber's queue at once. */
    static final int PAGE_MESSAGES = 100;
    /** Bytes per page beyond its first message (see {@link HistoryPage#sizeOf}). */
    static final long PAGE_BYTES = 256 * 1024;
    /** Failed reads in a row before the stream is abandoned: with the backoff below, about 7 s of failures. */
    static final int MAX_FAILURES = 8;
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    /**
     * History reads in flight at once on this node: when a whole region's clients resume here at once (a node or a
     * region failed over), their catch-ups queue here instead of flooding region storage.
     */
    static final int MAX_CONCURRENT_READS = 32;

    private final ChannelLog log;
    private final ScheduledExecutorService timer;
    private final DeliveryMetrics metrics;
    private final Semaphore reads = new Semaphore(MAX_CONCURRENT_READS);

    StreamRepair(ChannelLog log, ScheduledExecutorService timer, DeliveryMetrics metrics) {
        this.log = log;
        this.timer = timer;
        this.metrics = metrics;
    }

    /** Starts repairing {@code stream} on a virtual thread of its own. */
    void start(Stream stream) {
        Thread.ofVirtual().name("repair-" + stream.channel()).start(() -> run(stream, 0));
    }

    private void run(Stream stream, int failuresSoFar) {
        int failures = failuresSoFar;
        try {
            while (stream.wanted()) {
                HistoryPage page;
                reads.acquire();
                try {
                    page = log.history(stream.channel(), stream.position(), PAGE_MESSAGES, PAGE_BYTES);
                } catch (RuntimeException e) {
                    failures++;
                    if (failures >= MAX_FAILURES) {
                        metrics.repairFailed();
                        System.getLogger(StreamRepair.class.getName()).log(System.Logger.Level.WARNING,
                                "giving up the repair of " + stream.channel() + " after " + failures
                                        + " failed history reads: " + e.getMessage());
                        stream.abandon(Subscriber.Abandon.REPAIR_FAILED);
                        stream.ended();
                        return;
                    }
                    metrics.repairRetried();
                    int attempt = failures;
                    try {
                        timer.schedule(() -> Thread.ofVirtual().start(() -> run(stream, attempt)),
                                backoffMs(attempt), TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        stream.ended(); // the node is shutting down; its clients resume elsewhere
                    }
                    return;
                } finally {
                    reads.release();
                }
                failures = 0;
                if (!stream.awaitRoom(page)) {
                    if (stream.wanted()) {
                        stream.abandon(Subscriber.Abandon.SLOW);
                    }
                    break;
                }
                if (stream.accept(page) == Progress.DONE) {
                    break;
                }
            }
            stream.ended();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.ended();
        } catch (RuntimeException e) {
            System.getLogger(StreamRepair.class.getName()).log(System.Logger.Level.ERROR,
                    "repair of " + stream.channel() + " failed unexpectedly", e);
            metrics.repairFailed();
            stream.abandon(Subscriber.Abandon.REPAIR_FAILED);
            stream.ended();
        }
    }

    static long backoffMs(int failures) {
        return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(10, failures - 1));
    }
}
