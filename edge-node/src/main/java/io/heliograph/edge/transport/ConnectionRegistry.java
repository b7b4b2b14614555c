package io.heliograph.edge.transport;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.heliograph.edge.api.EdgeOperations;
import io.heliograph.edge.delivery.DeliveryHub;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.edge.observe.EdgeMetrics.DisconnectReason;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.Frames;

/**
 * The node's open connections: pings them every heartbeat, closes those that stopped answering or whose token
 * expired, cleans up after each close (subscriptions, presence), and redirects them all at shutdown.
 */
public final class ConnectionRegistry {

    public static final String TRANSPORT = "websocket";
    private static final System.Logger LOG = System.getLogger(ConnectionRegistry.class.getName());

    private static final long CLOSE_HANDSHAKE_NS = TimeUnit.SECONDS.toNanos(2);

    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
    private final DeliveryHub hub;
    private final EdgeOperations operations;
    private final EdgeMetrics metrics;
    private final long heartbeatMs;
    private final LongSupplier nowMs;
    private final ScheduledExecutorService timer;

    public ConnectionRegistry(DeliveryHub hub, EdgeOperations operations, EdgeMetrics metrics, long heartbeatMs,
                              LongSupplier nowMs, ScheduledExecutorService timer) {
        this.hub = hub;
        this.operations = operations;
        this.metrics = metrics;
        this.heartbeatMs = heartbeatMs;
        this.nowMs = nowMs;
        this.timer = timer;
    }

    public void start() {
        // At least every second: a client whose TCP connection simply ended is noticed within a second.
        long period = Math.max(50, Math.min(1000, heartbeatMs / 2));
        sweepPeriodNanos = TimeUnit.MILLISECONDS.toNanos(period);
        lastSweepNanos = System.nanoTime();
        timer.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    public int size() {
        return connections.size();
    }

    void opened(Connection connection) {
        connections.put(connection.connectionId(), connection);
        metrics.connectionOpened(TRANSPORT);
    }

    /** Called once per connection when its socket is gone. */
    void closed(Connection connection) {
        if (connections.remove(connection.connectionId()) == null) {
            return;
        }
        connection.markClosed();
        metrics.connectionClosed(TRANSPORT, connection.disconnectReason(), nowMs.getAsLong() - connection.openedAtMs());
        Thread.ofVirtual().start(() -> cleanUp(connection));
    }

    private void cleanUp(Connection connection) {
        for (String channel : List.copyOf(connection.channels())) {
            try {
                hub.unsubscribe(channel, connection.connectionId());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "unsubscribe failed for " + channel + ": " + e.getMessage());
            }
        }
        for (String channel : List.copyOf(connection.presenceChannels())) {
            try {
                operations.leave(channel, connection.connectionId());
            } catch (RuntimeException e) {
                // The member is removed with its node at the latest; counted as an error meanwhile.
                metrics.error(ErrorCode.UNAVAILABLE.code());
                LOG.log(System.Logger.Level.WARNING, "presence leave failed for " + channel + ": " + e.getMessage());
            }
        }
    }

    private long lastPingNanos;
    private long lastSweepNanos = System.nanoTime();
    private long sweepPeriodNanos;

    private void sweep() {
        try {
            long now = System.nanoTime();
            // When this node itself was stopped (a long GC pause, a frozen VM), its clients could not have been
            // heard meanwhile: give them a fresh heartbeat allowance instead of closing them all at once.
            boolean nodeWasPaused = now - lastSweepNanos > 3 * sweepPeriodNanos + TimeUnit.SECONDS.toNanos(1);
            lastSweepNanos = now;
            boolean pingDue = now - lastPingNanos >= TimeUnit.MILLISECONDS.toNanos(heartbeatMs) - 1_000_000;
            if (pingDue) {
                lastPingNanos = now;
            }
            long deadAfter = TimeUnit.MILLISECONDS.toNanos(2 * heartbeatMs);
            Instant wall = Instant.ofEpochMilli(nowMs.getAsLong());
            for (Connection c : connections.values()) {
                if (!c.transportOpen()) {
                    // The socket is gone and its loop reported it; this is the safety net should that report be missed.
                    closed(c);
                    continue;
                }
                if (c.state() == Connection.State.CLOSING) {
                    // A client that does not complete the close handshake in time is cut off.
                    if (now - c.closeRequestedNanos() > CLOSE_HANDSHAKE_NS) {
                        c.terminate();
                        closed(c);
                    }
                    continue;
                }
                if (!wall.isBefore(c.claims().expiresAt())) {
                    metrics.error(ErrorCode.UNAUTHORIZED.code());
                    c.close(CloseCodes.TOKEN_EXPIRED, "token expired", DisconnectReason.TOKEN_EXPIRED,
                            Frames.error(null, ErrorCode.UNAUTHORIZED.code(), "token expired"));
                } else if (nodeWasPaused) {
                    c.touch();
                } else if (now - c.lastSeenNanos() > deadAfter) {
                    c.close(CloseCodes.INTERNAL_ERROR, "heartbeat not answered", DisconnectReason.HEARTBEAT);
                } else if (pingDue) {
                    c.ping();
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "connection sweep failed", e);
        }
    }

    /**
     * After this node rejoined its region: while it was cut off, the region removed its members; every connection
     * still open enters again where it was present.
     */
    public void reenterPresence() {
        for (Connection c : connections.values()) {
            if (c.state() != Connection.State.OPEN) {
                continue;
            }
            c.presence().forEach((channel, data) -> {
                try {
                    operations.enterOrUpdate(c.claims(), channel, c.connectionId(), data);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "re-entering presence on " + channel + " failed: "
                            + e.getMessage());
                }
            });
        }
    }

    /** Graceful shutdown: every client gets a redirect frame and a 1001 close. */
    public void redirectAll(String url) {
        for (Connection c : connections.values()) {
            c.close(CloseCodes.GOING_AWAY, "node shutting down", DisconnectReason.SHUTDOWN,
                    Frames.redirect("node shutting down", url));
        }
    }

    /** Waits (bounded) until every connection has closed. */
    public boolean awaitEmpty(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (Connection c : connections.values()) {
            c.terminate();
        }
        return connections.isEmpty();
    }
}
