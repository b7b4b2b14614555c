package io.heliograph.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Decides where and when a client connects next, from what happened to its last attempt or connection. It holds the
 * client's {@link ConnectionState}, the edges it may use (a fixed list, or the edges of the region it negotiated),
 * the failures since the last success and whether the token was renewed; each event is one method, which returns the
 * {@link Step} the client carries out. It opens no socket, starts no thread and reads no clock, so every transition is
 * unit-tested without a network.
 *
 * <pre>
 *   CLOSED/FAILED --start--> CONNECTING: negotiate (entry addresses) or connect to the first URL
 *   CONNECTING --negotiated--> CONNECTING: connect to the region's first edge
 *   CONNECTING --negotiationFailed--> DISCONNECTED: negotiate again after the backoff
 *   CONNECTING --connected--> CONNECTED: failures forgotten
 *   CONNECTING/CONNECTED --connectionLost--> DISCONNECTED: the next edge after the backoff; once every edge of the
 *                                            negotiated region failed in a row, negotiate again without it
 *   CONNECTED --redirected(url)--> DISCONNECTED: url at once (first backoff window); without url, the next edge,
 *                                                or (entry addresses) negotiate again without this region
 *   CONNECTED --returnTo(region)--> DISCONNECTED: the preferred region serves again: its first edge at once
 *   CONNECTED --policyClosed (1008)--> DISCONNECTED: the next edge after half to all of the longest backoff
 *   any --tokenRefused--> the same edge at once with a renewed token (once), else FAILED
 *   any --closed--> CLOSED
 * </pre>
 *
 * <p>Not thread-safe: the client calls it under its lock.
 */
final class ReconnectionStateMachine {

    /** What the client does next. */
    enum Action {
        /** Open a WebSocket to {@link Step#target()} after {@link Step#delay()}. */
        CONNECT,
        /**
         * Ask the entry addresses for a region after {@link Step#delay()}, leaving out {@link Step#leftRegion()} (when
         * not null) for a while.
         */
        NEGOTIATE,
        /** Stop: the client is {@link ConnectionState#FAILED}. */
        FAIL,
        /** Nothing: the event changes nothing (a client closed, failed, or already on its way). */
        NOTHING
    }

    /** One decision. */
    record Step(Action action, URI target, Duration delay, String leftRegion) {
        static final Step NOTHING = new Step(Action.NOTHING, null, Duration.ZERO, null);
        static final Step FAIL = new Step(Action.FAIL, null, Duration.ZERO, null);

        static Step connect(URI target, Duration delay) {
            return new Step(Action.CONNECT, target, delay, null);
        }

        static Step negotiate(Duration delay, String leftRegion) {
            return new Step(Action.NEGOTIATE, null, delay, leftRegion);
        }
    }

    private final Backoff backoff;
    private final boolean negotiates;
    private final boolean renewableToken;
    private ConnectionState state = ConnectionState.CLOSED;
    /** The edges tried round-robin: the configured URLs, or the negotiated region's edges (null before). */
    private EndpointRing edges;
    /** The negotiated region, or null (fixed URLs, or not negotiated yet). */
    private String region;
    /** Attempts and connections that failed since the last {@code connected}: the backoff's exponent. */
    private int failedAttempts;
    /** Of those, how many were with the current region's edges: all of them failing means the region is gone. */
    private int regionFailures;
    private boolean tokenRenewed;

    private ReconnectionStateMachine(EndpointRing edges, boolean negotiates, boolean renewableToken, Backoff backoff) {
        this.edges = edges;
        this.negotiates = negotiates;
        this.renewableToken = renewableToken;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /** A client given fixed WebSocket URLs: it goes round them and never negotiates. */
    static ReconnectionStateMachine withUrls(List<URI> urls, boolean renewableToken, Backoff backoff) {
        return new ReconnectionStateMachine(new EndpointRing(urls), false, renewableToken, backoff);
    }

    /** A client given entry addresses: it negotiates its region first, and again whenever that region is gone. */
    static ReconnectionStateMachine withNegotiation(boolean renewableToken, Backoff backoff) {
        return new ReconnectionStateMachine(null, true, renewableToken, backoff);
    }

    ConnectionState state() {
        return state;
    }

    /** The region negotiated last, or null. */
    String region() {
        return region;
    }

    boolean isStopped() {
        return state == ConnectionState.CLOSED || state == ConnectionState.FAILED;
    }

    // ------------------------------------------------------------------------------------------------ transitions

    /** The application asked to connect. Starts over from a closed or failed client; else changes nothing. */
    Step start() {
        if (!isStopped()) {
            return Step.NOTHING;
        }
        failedAttempts = 0;
        regionFailures = 0;
        tokenRenewed = false;
        state = ConnectionState.CONNECTING;
        return negotiates ? Step.negotiate(Duration.ZERO, null) : Step.connect(edges.current(), Duration.ZERO);
    }

    /** A connection attempt or a negotiation has begun (after its step's delay). */
    void attemptStarted() {
        if (!isStopped()) {
            state = ConnectionState.CONNECTING;
        }
    }

    /** Negotiation answered {@code region} with these edges: connect to the first of them at once. */
    Step negotiated(String region, List<URI> regionEdges) {
        if (isStopped()) {
            return Step.NOTHING;
        }
        this.region = region;
        this.edges = new EndpointRing(regionEdges);
        regionFailures = 0;
        return Step.connect(edges.current(), Duration.ZERO);
    }

    /** No entry address answered: try them again after the backoff. */
    Step negotiationFailed() {
        if (isStopped()) {
            return Step.NOTHING;
        }
        state = ConnectionState.DISCONNECTED;
        return Step.negotiate(backoff.delay(failedAttempts++), null);
    }

    /** The {@code connected} frame arrived. */
    void connected() {
        if (isStopped()) {
            return;
        }
        state = ConnectionState.CONNECTED;
        failedAttempts = 0;
        regionFailures = 0;
        tokenRenewed = false;
    }

    /**
     * An attempt failed (refused, no {@code connected} frame in time) or a connection dropped (closed, failed,
     * silent past the heartbeat): the next edge after the backoff, or, once every edge of the negotiated region failed
     * in a row, a new negotiation that leaves this region out.
     */
    Step connectionLost() {
        if (isStopped()) {
            return Step.NOTHING;
        }
        state = ConnectionState.DISCONNECTED;
        Duration delay = backoff.delay(failedAttempts++);
        if (negotiates && (edges == null || ++regionFailures >= edges.size())) {
            return regionGone(delay);
        }
        return Step.connect(edges.advance(), delay);
    }

    /**
     * The edge sent {@code redirect}: to {@code url} when given, else to the next edge, or (entry addresses) to the
     * next region through a new negotiation. Within the first backoff window: the edge asked, nothing failed.
     */
    Step redirected(URI url) {
        if (isStopped()) {
            return Step.NOTHING;
        }
        state = ConnectionState.DISCONNECTED;
        Duration delay = backoff.delay(0);
        if (url != null) {
            return Step.connect(url, delay);
        }
        if (negotiates) {
            return regionGone(delay);
        }
        return Step.connect(edges.advance(), delay);
    }

    /**
     * Connected in another region than the preferred one, which negotiation says serves again: move there at once
     * (the channels resume from their last serials). Only from CONNECTED: a client on its way somewhere goes on.
     */
    Step returnTo(String preferred, List<URI> regionEdges) {
        // Whether the client is away is the caller's to say, from the connected frame: a redirect to a URL may have
        // taken it to another region without this machine knowing which.
        if (state != ConnectionState.CONNECTED || !negotiates || regionEdges.isEmpty()) {
            return Step.NOTHING;
        }
        state = ConnectionState.DISCONNECTED;
        region = preferred;
        edges = new EndpointRing(regionEdges);
        regionFailures = 0;
        return Step.connect(edges.current(), Duration.ZERO);
    }

    /** The edge closed with 1008 (sustained rate-limit abuse): "not at once", so after a long, spread pause. */
    Step policyClosed() {
        if (isStopped()) {
            return Step.NOTHING;
        }
        state = ConnectionState.DISCONNECTED;
        failedAttempts++;
        return Step.connect(edges.advance(), backoff.notAtOnce());
    }

    /**
     * The token was refused at the upgrade (401) or expired during the connection (close 4001): with a token
     * supplier, the same edge at once with a fresh token, once in a row; else the client fails.
     *
     * @param duringConnection true for 4001: the client was connected, and is now disconnected
     */
    Step tokenRefused(URI edge, boolean duringConnection) {
        if (isStopped()) {
            return Step.NOTHING;
        }
        if (renewableToken && !tokenRenewed) {
            tokenRenewed = true;
            if (duringConnection) {
                state = ConnectionState.DISCONNECTED;
            }
            return Step.connect(edge, Duration.ZERO);
        }
        state = ConnectionState.FAILED;
        return Step.FAIL;
    }

    /** The client cannot go on (no token to connect with): FAILED until the application connects again. */
    Step failed() {
        if (isStopped()) {
            return Step.NOTHING;
        }
        state = ConnectionState.FAILED;
        return Step.FAIL;
    }

    /** The application closed the client. */
    void closed() {
        state = ConnectionState.CLOSED;
    }

    private Step regionGone(Duration delay) {
        String gone = region;
        regionFailures = 0;
        return Step.negotiate(delay, gone);
    }
}
