package io.heliograph.client;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.heliograph.protocol.WireLimits;

/**
 * Watches the current connection's liveness against the {@code heartbeatMs} its {@code connected} frame announced:
 * after one silent period it makes the node speak (a ping), and a node silent for
 * {@link WireLimits#HEARTBEAT_TOLERANCE} periods is reported dead, even when the socket itself says nothing (a frozen
 * node, a cut path). Looked at every quarter period.
 *
 * <p>Guarded by the client's lock: {@link #start} and {@link #stop} run with it held; the checks take it.
 */
final class HeartbeatMonitor {

    /** What the monitor acts on. Called with the client's lock held. */
    interface Target {
        /** The connection is still the current one and connected. */
        boolean isWatched(Connection conn);

        /** The node said nothing for {@code idleMs}: the connection is dead. */
        void silent(Connection conn, long idleMs);

        /** Ask the node for an answer. */
        void ping();
    }

    private final ReentrantLock lock;
    private final ScheduledExecutorService timers;
    private final Target target;
    private ScheduledFuture<?> timer;
    private long lastPingNs;
    /** The application's bound on a connection's silence (0: the node's heartbeat alone decides). */
    private volatile long maxSilenceMs;

    HeartbeatMonitor(ReentrantLock lock, ScheduledExecutorService timers, Target target) {
        this.lock = lock;
        this.timers = timers;
        this.target = target;
    }

    /**
     * Bounds a connection's silence below the node's own heartbeat: the monitor then watches with the period
     * {@code maxSilenceMs / HEARTBEAT_TOLERANCE} (pinging an idle node that often), so a node that says nothing for
     * {@code maxSilenceMs} is dead, even one that announced no heartbeat. 0: the node's heartbeat alone.
     */
    void limitSilence(long maxSilenceMs) {
        this.maxSilenceMs = Math.max(0, maxSilenceMs);
    }

    /** Watches {@code conn} from now on, instead of any earlier connection; a period of 0 or less watches nothing. */
    void start(Connection conn, long announcedHeartbeatMs) {
        stop();
        long limit = maxSilenceMs;
        long bounded = Math.max(10, (long) (limit / WireLimits.HEARTBEAT_TOLERANCE));
        long heartbeatMs = limit <= 0 ? announcedHeartbeatMs
                : announcedHeartbeatMs <= 0 ? bounded : Math.min(announcedHeartbeatMs, bounded);
        if (heartbeatMs <= 0) {
            return;
        }
        long periodMs = Math.max(10, heartbeatMs / 4);
        lastPingNs = System.nanoTime();
        try {
            timer = timers.scheduleAtFixedRate(() -> check(conn, heartbeatMs), periodMs, periodMs,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            timer = null;
        }
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check(Connection conn, long heartbeatMs) {
        lock.lock();
        try {
            if (!target.isWatched(conn)) {
                return;
            }
            long idleMs = conn.idleMs();
            if (idleMs > WireLimits.HEARTBEAT_TOLERANCE * heartbeatMs) {
                target.silent(conn, idleMs);
                return;
            }
            long sincePingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPingNs);
            if (idleMs >= heartbeatMs && sincePingMs >= heartbeatMs) {
                // Silence may just mean nothing to say: a ping makes a live node answer.
                lastPingNs = System.nanoTime();
                target.ping();
            }
        } finally {
            lock.unlock();
        }
    }
}
