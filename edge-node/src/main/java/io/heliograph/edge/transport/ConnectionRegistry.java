package io.heliograph.edge.transport;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
 * expired, cleans up after each close (subscriptions, presence), and redirects them all at shutdown. Each is visited
 * once per half heartbeat, not every second: token expiries are kept in order and closes in progress apart.
 */
public final class ConnectionRegistry {

    public static final String TRANSPORT = "websocket";
    private static final System.Logger LOG = System.getLogger(ConnectionRegistry.class.getName());

    private static final long CLOSE_HANDSHAKE_NS = TimeUnit.SECONDS.toNanos(2);

    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
    /** Connections whose close was requested and whose socket may still be open. */
    private final Set<Connection> closing = ConcurrentHashMap.newKeySet();
    /** Open connections by their token's expiry, earliest first. */
    private final ConcurrentSkipListMap<Expiry, Connection> expiries = new ConcurrentSkipListMap<>();
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
        // At least every second: a token that expired, or a close handshake that overstayed, is acted on within one.
        // Ticks divide a liveness pass evenly, so passes (and pings) keep their period exactly.
        long passNanos = passNanos();
        tickNanos = passNanos / Math.max(1, (passNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        lastTickNanos = System.nanoTime();
        lastPassNanos = lastTickNanos;
        lastPingNanos = lastTickNanos;
        timer.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }

    public int size() {
        return connections.size();
    }

    /** Every connection still open (a node's own rehearsal uses it to act as the fan-out and the heartbeat do). */
    void forEachOpen(java.util.function.Consumer<Connection> action) {
        for (Connection c : connections.values()) {
            if (c.state() == Connection.State.OPEN) {
                action.accept(c);
            }
        }
    }

    void opened(Connection connection) {
        connections.put(connection.connectionId(), connection);
        connection.whenCloseRequested(closing::add);
        watchExpiry(connection);
        metrics.connectionOpened(TRANSPORT);
    }

    /** Called once per connection when its socket is gone. */
    void closed(Connection connection) {
        closing.remove(connection);
        if (connections.remove(connection.connectionId()) == null) {
            return;
        }
        forgetExpiry(connection);
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

    /** A connection's place in the expiry order: by its token's expiry, then by id (expiries collide). */
    private record Expiry(long atMs, String connectionId) implements Comparable<Expiry> {
        @Override
        public int compareTo(Expiry o) {
            int byTime = Long.compare(atMs, o.atMs);
            return byTime != 0 ? byTime : connectionId.compareTo(o.connectionId);
        }

        static Expiry of(Connection c) {
            Instant at = c.claims().expiresAt();
            // A token without a usable expiry (far beyond what epoch milliseconds hold) never expires here.
            return at.isBefore(NEVER) ? new Expiry(at.toEpochMilli(), c.connectionId()) : null;
        }
    }

    private static final Instant NEVER = Instant.ofEpochMilli(Long.MAX_VALUE);

    private void watchExpiry(Connection connection) {
        Expiry expiry = Expiry.of(connection);
        if (expiry != null) {
            expiries.put(expiry, connection);
        }
    }

    private void forgetExpiry(Connection connection) {
        Expiry expiry = Expiry.of(connection);
        if (expiry != null) {
            expiries.remove(expiry);
        }
    }

    private long lastPingNanos;
    private long lastPassNanos;
    private long lastTickNanos = System.nanoTime();
    private long tickNanos;

    /**
     * Runs every tick (at most a second). Idle connections cost nothing here between liveness passes: a tick looks only
     * at the connections waiting to be closed and at the earliest token expiries. Walking every connection each second
     * was most of an idle node's own CPU with thousands of them (each visit a few cache misses, perf).
     */
    private void tick() {
        try {
            long now = System.nanoTime();
            // When this node itself was stopped (a long GC pause, a frozen VM), its clients could not have been
            // heard meanwhile: give them a fresh heartbeat allowance instead of closing them all at once.
            boolean nodeWasPaused = now - lastTickNanos > 3 * tickNanos + TimeUnit.SECONDS.toNanos(1);
            lastTickNanos = now;
            if (nodeWasPaused) {
                connections.values().forEach(Connection::touch);
            }
            closeOverdueHandshakes(now);
            closeExpired(nowMs.getAsLong());
            if (now - lastPassNanos >= passNanos() - tickNanos / 2) {
                lastPassNanos = now;
                livenessPass(now);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "connection sweep failed", e);
        }
    }

    /** Liveness is checked every half heartbeat: a silent connection is closed within 2 to 2.5 periods. */
    private long passNanos() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(heartbeatMs) / 2);
    }

    /** A client that does not complete the close handshake in time is cut off. */
    private void closeOverdueHandshakes(long now) {
        for (Connection c : closing) {
            if (!c.transportOpen() || c.state() == Connection.State.CLOSED) {
                closed(c);
            } else if (now - c.closeRequestedNanos() > CLOSE_HANDSHAKE_NS) {
                c.terminate();
                closed(c);
            }
        }
    }

    private void closeExpired(long wallMs) {
        Map.Entry<Expiry, Connection> first;
        while ((first = expiries.firstEntry()) != null && first.getKey().atMs() <= wallMs) {
            expiries.remove(first.getKey());
            Connection c = first.getValue();
            if (c.state() != Connection.State.OPEN) {
                continue;
            }
            metrics.error(ErrorCode.UNAUTHORIZED.code());
            c.close(CloseCodes.TOKEN_EXPIRED, "token expired", DisconnectReason.TOKEN_EXPIRED,
                    Frames.error(null, ErrorCode.UNAUTHORIZED.code(), "token expired"));
        }
    }

    /** Every connection: pings on every other pass (once per heartbeat), closes the silent. */
    private void livenessPass(long now) {
        boolean pingDue = now - lastPingNanos >= TimeUnit.MILLISECONDS.toNanos(heartbeatMs) - tickNanos / 2;
        if (pingDue) {
            lastPingNanos = now;
        }
        long deadAfter = TimeUnit.MILLISECONDS.toNanos(2 * heartbeatMs);
        for (Connection c : connections.values()) {
            if (!c.transportOpen()) {
                // The socket is gone and its loop reported it; this is the safety net should that report be missed.
                closed(c);
            } else if (c.state() != Connection.State.OPEN) {
                continue;
            } else if (now - c.lastSeenNanos() > deadAfter) {
                c.close(CloseCodes.INTERNAL_ERROR, "heartbeat not answered", DisconnectReason.HEARTBEAT);
            } else if (pingDue) {
                c.ping();
            }
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

    /** Graceful shutdown or a drain: every client gets a redirect frame and a 1001 close. */
    public void redirectAll(String url) {
        redirectAll(url, "node shutting down");
    }

    /** Every client gets a redirect frame naming {@code reason} and {@code url} (null: the usual entry point). */
    public void redirectAll(String url, String reason) {
        for (Connection c : connections.values()) {
            c.close(CloseCodes.GOING_AWAY, reason, DisconnectReason.SHUTDOWN, Frames.redirect(reason, url));
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
