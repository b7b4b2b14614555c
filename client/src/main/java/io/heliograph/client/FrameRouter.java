package io.heliograph.client;

import java.net.URI;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.CloseCodes;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceAction;

/**
 * Reads what a connection reports and hands it to whom it concerns: {@code connected} and {@code redirect} frames, and
 * the socket's close or failure, to the {@link ConnectionAgent} (as what its machine must hear: connected, redirected,
 * token expired, policy violation, connection lost); messages and replies to the client's parts; presence events and
 * errors without a request id to the application, a rate-limit refusal also to the pacer. Whatever comes from a
 * connection that is no longer the current one is ignored. One router serves every connection of a client.
 *
 * <p>Called on the WebSocket's thread, the client's lock not held: frames are parsed off the lock, which is taken only
 * to check that the connection is still the current one and to act on it.
 */
final class FrameRouter implements Connection.Handler {

    private static final System.Logger LOG = System.getLogger(HeliographClient.class.getName());

    private final ReentrantLock lock;
    private final ConnectionAgent agent;
    private final ConnectionAgent.Parts parts;
    private final ApplicationListeners listeners;
    private final ClientCounters counters;

    FrameRouter(ReentrantLock lock, ConnectionAgent agent, ConnectionAgent.Parts parts, ApplicationListeners listeners,
                ClientCounters counters) {
        this.lock = lock;
        this.agent = agent;
        this.parts = parts;
        this.listeners = listeners;
        this.counters = counters;
    }

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
            if (!agent.isCurrent(conn)) {
                return;
            }
            switch (code) {
                case CloseCodes.TOKEN_EXPIRED -> agent.tokenRefused(conn.uri(), true,
                        new HeliographException(ErrorCode.UNAUTHORIZED, "token expired (close 4001"
                                + reasonSuffix(reason) + ")"));
                case CloseCodes.POLICY_VIOLATION -> {
                    // The edge's answer to sustained rate-limit abuse means "not at once", not "never": giving
                    // up would leave every channel dead. Pacing should make this rare; count it when it is not.
                    counters.policyCloses.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "closed by {0} for a policy violation (close 1008{1});"
                            + " reconnecting after the longest backoff", conn.uri(), reasonSuffix(reason));
                    agent.policyClosed();
                }
                default -> {
                    LOG.log(System.Logger.Level.DEBUG, "closed by {0} with {1}{2}", conn.uri(), code,
                            reasonSuffix(reason));
                    agent.connectionLost();
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
            if (agent.isCurrent(conn)) {
                LOG.log(System.Logger.Level.DEBUG, "connection to {0} failed: {1}", conn.uri(), error);
                agent.connectionLost();
            }
        } finally {
            lock.unlock();
        }
    }

    private static String reasonSuffix(String reason) {
        return reason == null || reason.isEmpty() ? "" : ": " + reason;
    }

    private void route(Connection conn, JsonNode frame) {
        String type = frame.path("type").asText("");
        switch (type) {
            case FrameTypes.CONNECTED -> agent.connected(conn, sessionOf(frame));
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

    private static ConnectionAgent.Session sessionOf(JsonNode connected) {
        return new ConnectionAgent.Session(connected.path("connectionId").asText(null),
                connected.path("clientId").asText(null), connected.path("region").asText(null),
                connected.path("node").asText(null), connected.path("heartbeatMs").asLong(0));
    }

    private void onPresence(Connection conn, JsonNode frame) {
        PresenceEvent event = new PresenceEvent(frame.path("channel").asText(),
                PresenceAction.parse(frame.path("action").asText(null)), Frames.readMember(frame.path("member")));
        lock.lock();
        try {
            if (agent.isCurrent(conn)) {
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
            if (!agent.isCurrent(conn)) {
                return;
            }
            LOG.log(System.Logger.Level.DEBUG, "redirected ({0}) to {1}", frame.path("reason").asText("no reason"),
                    target);
            agent.redirected(target);
        } finally {
            lock.unlock();
        }
        // A redirected connection is still healthy: the agent did not cut it, it is closed politely here.
        conn.close(CloseCodes.NORMAL, "redirected");
    }

    /**
     * A 429 without id: the edge dropped one of our frames for its rate limit, without saying which. Its request is
     * sent again when its answer does not come in time; meanwhile the pacer pauses so the edge's bucket refills.
     */
    private void edgeRefusedAFrame(Connection conn) {
        lock.lock();
        try {
            if (agent.isCurrent(conn)) {
                counters.rateLimitRefusals.incrementAndGet();
                OutboundPacer pacer = agent.pacer();
                if (pacer != null) {
                    pacer.refusedByEdge();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
