package io.heliograph.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.client.ReconnectionStateMachine.Step;
import io.heliograph.protocol.CloseCodes;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Keeps a client connected: tells its {@link ReconnectionStateMachine} what happened and carries out each step the
 * machine decides (negotiate a region, open a WebSocket, wait out a backoff, fail), has the connection's heartbeat
 * watched ({@link HeartbeatMonitor}) and, once connected, has the client's parts restored on the new connection. It
 * owns the current {@link Connection} and its {@link OutboundPacer}. Two helpers tell it what happened:
 * {@link ConnectionAttempts} starts the attempts its steps call for and says how each went, and {@link FrameRouter}
 * reads what a connection reports; whatever comes from a connection that is no longer current is ignored.
 *
 * <p>Guarded by the client's lock, like the parts it serves: methods without a note run with it held.
 */
final class ConnectionAgent implements RequestTable.Link {

    private static final System.Logger LOG = System.getLogger(HeliographClient.class.getName());

    /** What the agent needs of the rest of the client. Called with the lock held, except for the frame methods. */
    interface Parts {
        /** A new connection is up: bring it to where the application left the last one. */
        void restore(Connection conn);

        /** The client failed or closed: fail everything that waits. */
        void failEverything(HeliographException reason);

        /** A {@code message} frame (lock not held; from the {@link FrameRouter}). */
        void message(Connection conn, JsonNode frame);

        /** A reply or an error with a request id (lock not held; from the {@link FrameRouter}). */
        void reply(Connection conn, JsonNode frame, boolean isError);

        /** The heartbeat wants the node to say something. */
        void ping();
    }

    /** What the {@code connected} frame said. */
    record Session(String connectionId, String clientId, String region, String node, long heartbeatMs) {
    }

    private final ReentrantLock lock;
    private final ReconnectionStateMachine machine;
    /** Null for a client given fixed WebSocket URLs. */
    private final RegionNegotiator negotiator;
    private final RegionExclusions exclusions;
    private final ScheduledExecutorService timers;
    private final ApplicationListeners listeners;
    private final ClientCounters counters;
    private final Completions completions;
    private final double edgeRatePerSecond;
    private final int edgeRateBurst;
    private final ConnectionAttempts attempts;
    private final HeartbeatMonitor heartbeat;
    private Parts parts;
    /** The handler of every connection; made in {@link #bind}, as it hands frames to the parts. */
    private FrameRouter frames;

    private ConnectionState reportedState = ConnectionState.CLOSED;
    /** Written under the lock; volatile for {@link #isClosed()}, read without it. */
    private volatile boolean closed;
    private boolean everConnected;
    private Connection connection;
    private OutboundPacer pacer;
    private HeliographException failure;
    private CompletableFuture<Void> connectFuture;
    private volatile Session session;

    ConnectionAgent(ReentrantLock lock, ReconnectionStateMachine machine, RegionNegotiator negotiator,
                    RegionExclusions exclusions, Supplier<String> tokens, HttpClient http, Duration connectTimeout,
                    ScheduledExecutorService timers, ApplicationListeners listeners, ClientCounters counters,
                    Completions completions, double edgeRatePerSecond, int edgeRateBurst) {
        this.lock = lock;
        this.machine = machine;
        this.negotiator = negotiator;
        this.exclusions = exclusions;
        this.timers = timers;
        this.listeners = listeners;
        this.counters = counters;
        this.completions = completions;
        this.edgeRatePerSecond = edgeRatePerSecond;
        this.edgeRateBurst = edgeRateBurst;
        this.attempts = new ConnectionAttempts(lock, this, negotiator, tokens, http, connectTimeout, counters);
        this.heartbeat = new HeartbeatMonitor(lock, timers, new HeartbeatMonitor.Target() {
            @Override
            public boolean isWatched(Connection conn) {
                return isConnectedOn(conn);
            }

            @Override
            public void silent(Connection conn, long idleMs) {
                counters.heartbeatTimeouts.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "{0} silent for {1} ms", conn.uri(), String.valueOf(idleMs));
                connectionLost();
            }

            @Override
            public void ping() {
                parts.ping();
            }
        });
    }

    /** The application's bound on a connection's silence; see {@link HeartbeatMonitor#limitSilence}. */
    void limitSilence(long maxSilenceMs) {
        heartbeat.limitSilence(maxSilenceMs);
    }

    /** Set once, before the first {@link #connect()}. */
    void bind(Parts parts) {
        this.parts = parts;
        this.frames = new FrameRouter(lock, this, parts, listeners, counters);
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /** Takes the lock. The internal future of the first {@code connected} frame; see HeliographClient.connect. */
    CompletableFuture<Void> connect() {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new HeliographException(ErrorCode.UNAVAILABLE,
                        "client is closed"));
            }
            ConnectionState state = machine.state();
            if (state == ConnectionState.CONNECTED) {
                return CompletableFuture.completedFuture(null);
            }
            if (state == ConnectionState.CONNECTING || state == ConnectionState.DISCONNECTED) {
                return connectFuture;
            }
            failure = null;
            connectFuture = new CompletableFuture<>();
            apply(machine.start(), true, null);
            return connectFuture;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the lock. Fails everything waiting; returns the connection the caller should close politely, or null. */
    Connection close() {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            closed = true;
            Connection old = connection;
            dropConnection(false);
            HeliographException reason = new HeliographException(ErrorCode.UNAVAILABLE, "client closed");
            failConnectFuture(reason);
            parts.failEverything(reason);
            machine.closed();
            reportState();
            return old;
        } finally {
            lock.unlock();
        }
    }

    ConnectionState state() {
        return machine.state();
    }

    /** Lock not needed. */
    boolean isClosed() {
        return closed;
    }

    /** Neither closed nor failed: the client still serves requests. */
    boolean isActive() {
        return !closed && machine.state() != ConnectionState.FAILED;
    }

    /** The connection is the current one and its {@code connected} frame came. */
    boolean isConnectedOn(Connection conn) {
        return conn != null && conn == connection && machine.state() == ConnectionState.CONNECTED;
    }

    /** Why the client is FAILED, or null. */
    HeliographException failureReason() {
        return machine.state() == ConnectionState.FAILED ? failure : null;
    }

    /** True (and the future failed) when the client can no longer serve requests. */
    boolean refuseWhenDone(CompletableFuture<?> future) {
        if (closed) {
            future.completeExceptionally(new HeliographException(ErrorCode.UNAVAILABLE, "client closed"));
            return true;
        }
        if (machine.state() == ConnectionState.FAILED) {
            future.completeExceptionally(failure);
            return true;
        }
        return false;
    }

    /** Lock not needed. */
    Session session() {
        return session;
    }

    /**
     * Takes the lock. Moves a client connected away from its preferred region back to it, when {@code answer} (a
     * negotiation for the preferred region) names it and the client is still on {@code away}; the old connection is
     * closed politely, as after a redirect. Answers whether it moved.
     */
    boolean returnTo(Connection away, RegionNegotiator.Answer answer) {
        Connection old;
        lock.lock();
        try {
            if (closed || away == null || away != connection) {
                return false;
            }
            Step step = machine.returnTo(answer.region(), answer.edges());
            if (step.action() != ReconnectionStateMachine.Action.CONNECT) {
                return false;
            }
            LOG.log(System.Logger.Level.INFO, "region {0} serves again; returning to it from {1}", answer.region(),
                    session == null ? null : session.region());
            old = connection;
            apply(step, false, null);
        } finally {
            lock.unlock();
        }
        old.close(CloseCodes.NORMAL, "returning to the preferred region");
        return true;
    }

    /** Takes the lock. The current connection when connected in a region other than {@code preferred}; else null. */
    Connection awayFrom(String preferred) {
        lock.lock();
        try {
            Session now = session;
            if (closed || preferred == null || machine.state() != ConnectionState.CONNECTED || now == null
                    || now.region() == null || preferred.equals(now.region())) {
                return null;
            }
            return connection;
        } finally {
            lock.unlock();
        }
    }

    /** The region asked for by name in negotiation (the application's, or chosen by round trip); lock not needed. */
    String preferredRegion() {
        return negotiator == null ? null : negotiator.preferredRegion();
    }

    // ---------------------------------------------------------------------------------------------- RequestTable.Link

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public OutboundPacer pacer() {
        return pacer;
    }

    /** Lock not needed. Null when the client is closed: nothing is waiting for this timer any more. */
    @Override
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Lock not needed: called on the dispatcher thread when the application has caught up. */
    void resumeReading() {
        Connection conn = connection;
        if (conn != null) {
            conn.resumeReading();
        }
    }

    // ---------------------------------------------------------------------------------------------- what happened

    // From the attempts and the frame router, with the lock held unless noted: each tells the machine what happened
    // to the current attempt or connection and carries out the step it decides.

    /** A WebSocket open to {@code target} begins: its connection (not open yet) becomes the current one. */
    Connection attemptStarted(URI target) {
        Connection conn = new Connection(target, frames, listeners::backlog);
        connection = conn;
        machine.attemptStarted();
        reportState();
        return conn;
    }

    void negotiationStarted() {
        machine.attemptStarted();
        reportState();
    }

    void negotiated(RegionNegotiator.Answer answer) {
        apply(machine.negotiated(answer.region(), answer.edges()), true, null);
    }

    void negotiationFailed() {
        apply(machine.negotiationFailed(), true, null);
    }

    /**
     * Takes the lock. The {@code connected} frame came on {@code conn}: the client is connected there, its parts are
     * restored on it, the heartbeat watches it, and the future of {@link #connect()} completes (off the lock).
     */
    void connected(Connection conn, Session now) {
        CompletableFuture<Void> connected;
        lock.lock();
        try {
            if (conn != connection || closed) {
                return;
            }
            Session previous = session;
            session = now;
            if (everConnected) {
                counters.reconnects.incrementAndGet();
            }
            if (previous != null && previous.region() != null && !previous.region().equals(now.region())) {
                counters.regionChanges.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, "now in region {0} (was {1}); resuming every channel",
                        now.region(), previous.region());
            }
            everConnected = true;
            machine.connected();
            pacer = new OutboundPacer(conn::send, timers, edgeRatePerSecond, edgeRateBurst, System::nanoTime,
                    counters.framesPaced);
            reportState();
            parts.restore(conn);
            if (conn == connection) {
                heartbeat.start(conn, now.heartbeatMs());
            }
            connected = connectFuture;
        } finally {
            lock.unlock();
        }
        if (connected != null) {
            completions.complete(connected, null);
        }
    }

    /** The attempt or the connection is dead (refused, closed, failed, silent): the next one after the backoff. */
    void connectionLost() {
        apply(machine.connectionLost(), true, null);
    }

    /**
     * The node refused the token: at the upgrade (HTTP 401), or during the connection (close 4001, {@code
     * duringConnection}); {@code reason} is why the client fails when it cannot renew the token.
     */
    void tokenRefused(URI node, boolean duringConnection, HeliographException reason) {
        apply(machine.tokenRefused(node, duringConnection), true, reason);
    }

    /** The edge closed with 1008 (sustained rate-limit abuse). */
    void policyClosed() {
        apply(machine.policyClosed(), true, null);
    }

    /**
     * The edge sent {@code redirect} (target null: none, or an invalid one). The connection is still healthy, so it is
     * not cut: the caller closes it politely.
     */
    void redirected(URI target) {
        apply(machine.redirected(target), false, null);
    }

    /** The client cannot go on (no token to connect with). */
    void failed(HeliographException reason) {
        apply(machine.failed(), true, reason);
    }

    /** {@code conn} is the current connection, connected or not yet. */
    boolean isCurrent(Connection conn) {
        return conn != null && conn == connection;
    }

    /** Failed or closed: no attempt starts. */
    boolean isStopped() {
        return machine.isStopped();
    }

    // ---------------------------------------------------------------------------------------------- steps

    /**
     * Carries out the machine's decision and reports its state to the listeners.
     *
     * @param abort      cut the current connection (false when the caller closes it politely, after a redirect)
     * @param failReason why, for a {@link ReconnectionStateMachine.Action#FAIL}
     */
    private void apply(Step step, boolean abort, HeliographException failReason) {
        switch (step.action()) {
            case CONNECT -> {
                dropConnection(abort);
                attempts.connectAfter(step.target(), step.delay());
            }
            case NEGOTIATE -> {
                dropConnection(abort);
                if (step.leftRegion() != null) {
                    exclusions.exclude(step.leftRegion());
                    LOG.log(System.Logger.Level.INFO, "region {0} is gone for this client; negotiating another,"
                            + " {0} left out for {1} ms", step.leftRegion(),
                            String.valueOf(exclusions.window().toMillis()));
                }
                attempts.negotiateAfter(step.delay());
            }
            case FAIL -> {
                LOG.log(System.Logger.Level.WARNING, "connection failed, not retrying: {0}", failReason.getMessage());
                dropConnection(true);
                failure = failReason;
                failConnectFuture(failReason);
                parts.failEverything(failReason);
            }
            case NOTHING -> { }
        }
        reportState();
    }

    private void reportState() {
        ConnectionState now = machine.state();
        if (now != reportedState) {
            reportedState = now;
            listeners.state(now);
        }
    }

    private void failConnectFuture(HeliographException reason) {
        if (connectFuture != null) {
            completions.fail(connectFuture, reason);
        }
    }

    /** Forgets the current connection and any attempt scheduled, cutting the connection unless the caller closes it. */
    private void dropConnection(boolean abort) {
        heartbeat.stop();
        attempts.cancel();
        if (pacer != null) {
            pacer.close();
            pacer = null;
        }
        Connection old = connection;
        connection = null;
        if (abort && old != null) {
            old.abort();
        }
    }
}
