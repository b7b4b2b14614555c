package io.heliograph.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Starts the attempts the {@link ConnectionAgent}'s steps call for, each after its step's delay: a negotiation (its
 * blocking HTTP on a virtual thread) or a WebSocket open (with a token from the application's supplier), and tells the
 * agent how it went: negotiated or not, token refused (HTTP 401), unreachable, or upgraded but without a
 * {@code connected} frame within {@code connectTimeout}. One attempt at a time: scheduling the next one, or
 * {@link #cancel()}, makes any earlier one stale, and whatever a stale attempt brings back is ignored.
 *
 * <p>Guarded by the client's lock: {@link #connectAfter}, {@link #negotiateAfter} and {@link #cancel} run with it held
 * (they are the agent's steps); the attempts start on the timer thread and take it themselves. The token supplier, the
 * negotiation and the open never run with it held, so none of them can stall the client.
 */
final class ConnectionAttempts {

    private static final System.Logger LOG = System.getLogger(HeliographClient.class.getName());

    private final ReentrantLock lock;
    private final ConnectionAgent agent;
    /** Null for a client given fixed WebSocket URLs: it never negotiates. */
    private final RegionNegotiator negotiator;
    private final Supplier<String> tokens;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final ClientCounters counters;
    /** Changes with every attempt scheduled or cancelled: an attempt that started with another number is stale. */
    private long attemptSeq;
    private ScheduledFuture<?> attemptTimer;

    ConnectionAttempts(ReentrantLock lock, ConnectionAgent agent, RegionNegotiator negotiator, Supplier<String> tokens,
                       HttpClient http, Duration connectTimeout, ClientCounters counters) {
        this.lock = lock;
        this.agent = agent;
        this.negotiator = negotiator;
        this.tokens = tokens;
        this.http = http;
        this.connectTimeout = connectTimeout;
        this.counters = counters;
    }

    /** Opens a WebSocket to {@code target} after {@code delay}, instead of any attempt scheduled before. */
    void connectAfter(URI target, Duration delay) {
        long seq = ++attemptSeq;
        attemptTimer = agent.schedule(() -> startAttempt(seq, target), delay);
    }

    /** Negotiates a region after {@code delay}, instead of any attempt scheduled before. */
    void negotiateAfter(Duration delay) {
        long seq = ++attemptSeq;
        attemptTimer = agent.schedule(() -> startNegotiation(seq), delay);
    }

    /** Forgets the attempt scheduled or under way: whatever it brings back is ignored. */
    void cancel() {
        if (attemptTimer != null) {
            attemptTimer.cancel(false);
            attemptTimer = null;
        }
        attemptSeq++;
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
            if (seq != attemptSeq || agent.isClosed() || agent.isStopped()) {
                return;
            }
            conn = agent.attemptStarted(target);
            counters.connectionAttempts.incrementAndGet();
        } finally {
            lock.unlock();
        }
        conn.open(http, token, connectTimeout).whenComplete((ws, error) -> {
            if (error != null) {
                openFailed(conn, Completions.unwrap(error));
            } else {
                agent.schedule(() -> connectedFrameOverdue(conn), connectTimeout);
            }
        });
    }

    /** Runs on the timer thread; the negotiation itself (blocking HTTP) on a virtual thread, off the lock. */
    private void startNegotiation(long seq) {
        lock.lock();
        try {
            if (seq != attemptSeq || agent.isClosed() || agent.isStopped()) {
                return;
            }
            agent.negotiationStarted();
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
                if (seq != attemptSeq || agent.isClosed()) {
                    return;
                }
                if (answer == null) {
                    LOG.log(System.Logger.Level.DEBUG, "negotiation failed: {0}", error.getMessage());
                    agent.negotiationFailed();
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "negotiated region {0} ({1}) through {2}: {3}",
                            answer.region(), answer.reason(), answer.entry(), answer.edges());
                    agent.negotiated(answer);
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
            if (agent.isCurrent(conn) && agent.state() == ConnectionState.CONNECTING) {
                LOG.log(System.Logger.Level.DEBUG, "{0} sent no connected frame within {1} ms", conn.uri(),
                        String.valueOf(connectTimeout.toMillis()));
                agent.connectionLost();
            }
        } finally {
            lock.unlock();
        }
    }

    private void openFailed(Connection conn, Throwable error) {
        lock.lock();
        try {
            if (!agent.isCurrent(conn)) {
                return;
            }
            if (error instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 401) {
                agent.tokenRefused(conn.uri(), false, new HeliographException(ErrorCode.UNAUTHORIZED,
                        "token refused by " + conn.uri() + " (HTTP 401)"));
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "cannot connect to {0}: {1}", conn.uri(), error);
            agent.connectionLost();
        } finally {
            lock.unlock();
        }
    }

    private void failIfCurrent(long seq, HeliographException reason) {
        lock.lock();
        try {
            if (seq == attemptSeq) {
                agent.failed(reason);
            }
        } finally {
            lock.unlock();
        }
    }
}
