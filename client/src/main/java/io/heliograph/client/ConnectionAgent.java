package io.heliograph.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
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
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceAction;

/**
 * Keeps a client connected: carries out each step of its {@link ReconnectionStateMachine} (negotiate a region, open a
 * WebSocket, wait out a backoff), tells the machine what became of it, has the connection's heartbeat watched
 * ({@link HeartbeatMonitor}), and hands each connection's frames to the client's parts. It owns the current
 * {@link Connection} and its {@link OutboundPacer}; callbacks from a connection that is no longer current are ignored.
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

        /** A {@code message} frame (lock not held). */
        void message(Connection conn, JsonNode frame);

        /** A reply or an error with a request id (lock not held). */
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
    private final Supplier<String> tokens;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final ScheduledExecutorService timers;
    private final ApplicationListeners listeners;
    private final ClientCounters counters;
    private final Completions completions;
    private final double edgeRatePerSecond;
    private final int edgeRateBurst;
    private Parts parts;

    private ConnectionState reportedState = ConnectionState.CLOSED;
    /** Written under the lock; volatile for {@link #isClosed()}, read without it. */
    private volatile boolean closed;
    private boolean everConnected;
    private Connection connection;
    private OutboundPacer pacer;
    private long attemptSeq;
    private ScheduledFuture<?> attemptTimer;
    private final HeartbeatMonitor heartbeat;
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
        this.tokens = tokens;
        this.http = http;
        this.connectTimeout = connectTimeout;
        this.timers = timers;
        this.listeners = listeners;
        this.counters = counters;
        this.completions = completions;
        this.edgeRatePerSecond = edgeRatePerSecond;
        this.edgeRateBurst = edgeRateBurst;
        this.heartbeat = new HeartbeatMonitor(lock, timers, new HeartbeatMonitor.Target() {
            @Override
            public boolean isWatched(Connection conn) {
                return isConnectedOn(conn);
            }

            @Override
            public void silent(Connection conn, long idleMs) {
                counters.heartbeatTimeouts.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "{0} silent for {1} ms", conn.uri(), String.valueOf(idleMs));
                apply(machine.connectionLost(), true, null);
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
                long seq = ++attemptSeq;
                URI target = step.target();
                attemptTimer = schedule(() -> startAttempt(seq, target), step.delay());
            }
            case NEGOTIATE -> {
                dropConnection(abort);
                if (step.leftRegion() != null) {
                    exclusions.exclude(step.leftRegion());
                    LOG.log(System.Logger.Level.INFO, "region {0} is gone for this client; negotiating another,"
                            + " {0} left out for {1} ms", step.leftRegion(),
                            String.valueOf(exclusions.window().toMillis()));
                }
                long seq = ++attemptSeq;
                attemptTimer = schedule(() -> startNegotiation(seq), step.delay());
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

    /** Runs on the timer thread, so that a slow token supplier never holds the caller or the lock. */
    private void startAttempt(long seq, URI target) {
        String token;
        try {
            token = tokens.get();
        } catch (RuntimeException e) {
            failIfCurrent(seq, new HeliographException(ErrorCode.UNAUTHORIZED, "token supplier failed: "
                    + e.getMessage(), e));
            return;
        }
        if (token == null || token.isBlank()) {
            failIfCurrent(seq, new HeliographException(ErrorCode.UNAUTHORIZED, "no token to connect with"));
            return;
        }
        Connection conn;
        lock.lock();
        try {
            if (seq != attemptSeq || closed || machine.isStopped()) {
                return;
            }
            conn = new Connection(target, new Events(), listeners::backlog);
            connection = conn;
            machine.attemptStarted();
            reportState();
            counters.connectionAttempts.incrementAndGet();
        } finally {
            lock.unlock();
        }
        conn.open(http, token, connectTimeout).whenComplete((ws, error) -> {
            if (error != null) {
                openFailed(conn, Completions.unwrap(error));
            } else {
                schedule(() -> connectedFrameOverdue(conn), connectTimeout);
            }
        });
    }

    /** Runs on the timer thread; the negotiation itself (blocking HTTP) on a virtual thread, off the lock. */
    private void startNegotiation(long seq) {
        lock.lock();
        try {
            if (seq != attemptSeq || closed || machine.isStopped()) {
                return;
            }
            machine.attemptStarted();
            reportState();
            counters.negotiations.incrementAndGet();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("heliograph-client-negotiate").start(() -> {
            RegionNegotiator.Answer answer = null;
            HeliographException error = null;
            try {
                answer = negotiator.negotiate();
            } catch (HeliographException e) {
                error = e;
            } catch (RuntimeException e) {
                // Whatever went wrong, the client must not stay CONNECTING for ever: it is a failed negotiation.
                error = new HeliographException(ErrorCode.INTERNAL, "negotiation failed: " + e, e);
            }
            lock.lock();
            try {
                if (seq != attemptSeq || closed) {
                    return;
                }
                if (answer == null) {
                    LOG.log(System.Logger.Level.DEBUG, "negotiation failed: {0}", error.getMessage());
                    apply(machine.negotiationFailed(), true, null);
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "negotiated region {0} ({1}) through {2}: {3}",
                            answer.region(), answer.reason(), answer.entry(), answer.edges());
                    apply(machine.negotiated(answer.region(), answer.edges()), true, null);
                }
            } finally {
                lock.unlock();
            }
        });
    }

    /** A node that upgrades but never says {@code connected} is as useless as one that refuses. */
    private void connectedFrameOverdue(Connection conn) {
        lock.lock();
        try {
            if (conn == connection && machine.state() == ConnectionState.CONNECTING) {
                LOG.log(System.Logger.Level.DEBUG, "{0} sent no connected frame within {1} ms", conn.uri(),
                        String.valueOf(connectTimeout.toMillis()));
                apply(machine.connectionLost(), true, null);
            }
        } finally {
            lock.unlock();
        }
    }

    private void openFailed(Connection conn, Throwable error) {
        lock.lock();
        try {
            if (conn != connection) {
                return;
            }
            if (error instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 401) {
                apply(machine.tokenRefused(conn.uri(), false), true, new HeliographException(ErrorCode.UNAUTHORIZED,
                        "token refused by " + conn.uri() + " (HTTP 401)"));
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "cannot connect to {0}: {1}", conn.uri(), error);
            apply(machine.connectionLost(), true, null);
        } finally {
            lock.unlock();
        }
    }

    private void failIfCurrent(long seq, HeliographException reason) {
        lock.lock();
        try {
            if (seq == attemptSeq) {
                apply(machine.failed(), true, reason);
            }
        } finally {
            lock.unlock();
        }
    }

    private void failConnectFuture(HeliographException reason) {
        if (connectFuture != null) {
            completions.fail(connectFuture, reason);
        }
    }

    /** Forgets the current connection and any scheduled step, cutting the connection unless the caller closes it. */
    private void dropConnection(boolean abort) {
        heartbeat.stop();
        if (attemptTimer != null) {
            attemptTimer.cancel(false);
            attemptTimer = null;
        }
        attemptSeq++;
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

    // ---------------------------------------------------------------------------------------------- frames

    /** The callbacks of one connection; each checks it is still the current one, so stale sockets are ignored. */
    private final class Events implements Connection.Handler {

        @Override
        public void onFrame(Connection conn, String text) {
            try {
                route(conn, Json.parse(text));
            } catch (RuntimeException e) {
                listeners.error(new HeliographException(ErrorCode.BAD_REQUEST,
                        "unreadable frame from " + conn.uri() + ": " + e.getMessage(), e));
            }
        }

        @Override
        public void onClosed(Connection conn, int code, String reason) {
            lock.lock();
            try {
                if (conn != connection) {
                    return;
                }
                switch (code) {
                    case CloseCodes.TOKEN_EXPIRED -> apply(machine.tokenRefused(conn.uri(), true), true,
                            new HeliographException(ErrorCode.UNAUTHORIZED, "token expired (close 4001"
                                    + reasonSuffix(reason) + ")"));
                    case CloseCodes.POLICY_VIOLATION -> {
                        // The edge's answer to sustained rate-limit abuse means "not at once", not "never": giving
                        // up would leave every channel dead. Pacing should make this rare; count it when it is not.
                        counters.policyCloses.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "closed by {0} for a policy violation (close 1008{1});"
                                + " reconnecting after the longest backoff", conn.uri(), reasonSuffix(reason));
                        apply(machine.policyClosed(), true, null);
                    }
                    default -> {
                        LOG.log(System.Logger.Level.DEBUG, "closed by {0} with {1}{2}", conn.uri(), code,
                                reasonSuffix(reason));
                        apply(machine.connectionLost(), true, null);
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onFailure(Connection conn, Throwable error) {
            lock.lock();
            try {
                if (conn == connection) {
                    LOG.log(System.Logger.Level.DEBUG, "connection to {0} failed: {1}", conn.uri(), error);
                    apply(machine.connectionLost(), true, null);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static String reasonSuffix(String reason) {
        return reason == null || reason.isEmpty() ? "" : ": " + reason;
    }

    private void route(Connection conn, JsonNode frame) {
        String type = frame.path("type").asText("");
        switch (type) {
            case FrameTypes.CONNECTED -> onConnected(conn, frame);
            case FrameTypes.MESSAGE -> parts.message(conn, frame);
            case FrameTypes.PRESENCE -> onPresence(conn, frame);
            case FrameTypes.REDIRECT -> onRedirect(conn, frame);
            case FrameTypes.ERROR -> {
                if (frame.hasNonNull("id")) {
                    parts.reply(conn, frame, true);
                } else {
                    HeliographException e = WireErrors.fromFrame(frame);
                    if (e.code() == ErrorCode.RATE_LIMITED) {
                        edgeRefusedAFrame(conn);
                    }
                    listeners.error(e);
                }
            }
            case FrameTypes.ATTACHED, FrameTypes.DETACHED, FrameTypes.ACK, FrameTypes.PRESENCE_MEMBERS,
                 FrameTypes.HISTORY_PAGE, FrameTypes.PONG -> parts.reply(conn, frame, false);
            default -> LOG.log(System.Logger.Level.DEBUG, "ignoring frame of unknown type {0}", type);
        }
    }

    private void onConnected(Connection conn, JsonNode frame) {
        CompletableFuture<Void> connected;
        lock.lock();
        try {
            if (conn != connection || closed) {
                return;
            }
            long heartbeatMs = frame.path("heartbeatMs").asLong(0);
            Session previous = session;
            session = new Session(frame.path("connectionId").asText(null), frame.path("clientId").asText(null),
                    frame.path("region").asText(null), frame.path("node").asText(null), heartbeatMs);
            if (everConnected) {
                counters.reconnects.incrementAndGet();
            }
            if (previous != null && previous.region() != null && !previous.region().equals(session.region())) {
                counters.regionChanges.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, "now in region {0} (was {1}); resuming every channel",
                        session.region(), previous.region());
            }
            everConnected = true;
            machine.connected();
            pacer = new OutboundPacer(conn::send, timers, edgeRatePerSecond, edgeRateBurst, System::nanoTime,
                    counters.framesPaced);
            reportState();
            parts.restore(conn);
            if (conn == connection) {
                heartbeat.start(conn, heartbeatMs);
            }
            connected = connectFuture;
        } finally {
            lock.unlock();
        }
        if (connected != null) {
            completions.complete(connected, null);
        }
    }

    private void onPresence(Connection conn, JsonNode frame) {
        PresenceEvent event = new PresenceEvent(frame.path("channel").asText(),
                PresenceAction.parse(frame.path("action").asText(null)), Frames.readMember(frame.path("member")));
        lock.lock();
        try {
            if (conn == connection) {
                listeners.presence(event);
            }
        } finally {
            lock.unlock();
        }
    }

    private void onRedirect(Connection conn, JsonNode frame) {
        String url = frame.path("url").asText(null);
        URI target = null;
        if (url != null && !url.isBlank()) {
            try {
                target = URI.create(url);
            } catch (IllegalArgumentException e) {
                listeners.error(new HeliographException(ErrorCode.BAD_REQUEST,
                        "redirect to an invalid URL '" + url + "'; going on as without one", e));
            }
        }
        lock.lock();
        try {
            if (conn != connection) {
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "redirected ({0}) to {1}", frame.path("reason").asText("no reason"),
                    target);
            // A redirected connection is still healthy: it is closed politely below, not cut.
            apply(machine.redirected(target), false, null);
        } finally {
            lock.unlock();
        }
        conn.close(CloseCodes.NORMAL, "redirected");
    }

    /**
     * A 429 without id: the edge dropped one of our frames for its rate limit, without saying which. Its request is
     * sent again when its answer does not come in time; meanwhile the pacer pauses so the edge's bucket refills.
     */
    private void edgeRefusedAFrame(Connection conn) {
        lock.lock();
        try {
            if (conn == connection) {
                counters.rateLimitRefusals.incrementAndGet();
                if (pacer != null) {
                    pacer.refusedByEdge();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
