package io.heliograph.client;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.client.PendingRequest.Kind;
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.PresenceAction;

/**
 * The channels where the application is present, with its latest data, and bringing that presence back: a member
 * leaves when its connection closes, so every new connection (any node, any region) re-enters each channel with the
 * latest data, retrying transient refusals and no answer with backoff for as long as the connection lasts. The
 * application's presence requests that were waiting when the connection dropped complete with the re-enter that
 * carries their data.
 *
 * <p>Guarded by the client's lock: methods without a note run with it held; reply and timer callbacks take it.
 */
final class PresenceReentry {

    private final ReentrantLock lock;
    private final ConnectionAgent agent;
    private final RequestTable requests;
    private final Backoff backoff;
    private final ApplicationListeners listeners;
    private final ClientCounters counters;
    /** Channels where the application entered presence, with its latest data. */
    private final Map<String, JsonNode> entered = new LinkedHashMap<>();

    PresenceReentry(ReentrantLock lock, ConnectionAgent agent, RequestTable requests, Backoff backoff,
                    ApplicationListeners listeners, ClientCounters counters) {
        this.lock = lock;
        this.agent = agent;
        this.requests = requests;
        this.backoff = backoff;
        this.listeners = listeners;
        this.counters = counters;
    }

    /** The application changes its presence on {@code channel}: remembered for the next connection. */
    void remember(String channel, PresenceAction action, JsonNode data) {
        if (action == PresenceAction.LEAVE) {
            entered.remove(channel);
        } else if (agent.isActive()) {
            entered.put(channel, data);
        }
    }

    /**
     * A new connection is up: re-enters every channel. {@code previous} are the old connection's requests; the
     * application's presence enters and updates among them, and the old connection's unanswered re-enters (which
     * complete the application's requests chained to them), now complete with the new re-enter of their channel.
     *
     * @return the requests of {@code previous} this took over; the caller settles the others
     */
    Set<PendingRequest> reenterAll(Connection conn, List<PendingRequest> previous) {
        Map<String, List<PendingRequest>> followers = new LinkedHashMap<>();
        Set<PendingRequest> taken = new HashSet<>();
        for (PendingRequest req : previous) {
            if (req.kind == Kind.PRESENCE && req.action != PresenceAction.LEAVE && entered.containsKey(req.channel)) {
                followers.computeIfAbsent(req.channel, c -> new ArrayList<>()).add(req);
                taken.add(req);
            }
        }
        for (String channel : entered.keySet()) {
            reenter(conn, channel, followers.getOrDefault(channel, List.of()), 0);
        }
        return taken;
    }

    /** Re-enters with the application's latest data; see {@link #reenterAll}. */
    private void reenter(Connection conn, String channel, List<PendingRequest> followers, int attempt) {
        JsonNode data = entered.get(channel);
        if (data == null) {
            // Left meanwhile: nothing to re-enter, which is what the application's later leave wanted.
            followers.forEach(PendingRequest::completeDiscarded);
            return;
        }
        ObjectNode frame = requests.newFrame(FrameTypes.PRESENCE);
        frame.put("channel", channel);
        frame.put("action", PresenceAction.ENTER.wireName());
        if (!data.isNull()) {
            frame.set("data", data);
        }
        PendingRequest req = requests.sendInternal(Kind.PRESENCE, channel, PresenceAction.ENTER, frame);
        req.reply.whenComplete((reply, error) -> onReenterReply(conn, channel, followers, attempt, reply, error));
    }

    private void onReenterReply(Connection conn, String channel, List<PendingRequest> followers, int attempt,
                                JsonNode reply, Throwable error) {
        if (error == null) {
            for (PendingRequest f : followers) {
                if (f.timeout != null) {
                    f.timeout.cancel(false);
                }
                f.reply.complete(reply);
            }
            return;
        }
        Throwable cause = Completions.unwrap(error);
        boolean current;
        lock.lock();
        try {
            // Not current: failed or passed on by a later restore, which chained this re-enter to its own.
            current = conn == agent.connection();
            if (current && WireErrors.isTransient(cause) && agent.isConnectedOn(conn)) {
                counters.presenceRetries.incrementAndGet();
                agent.schedule(() -> {
                    lock.lock();
                    try {
                        if (agent.isConnectedOn(conn)) {
                            reenter(conn, channel, followers, attempt + 1);
                        }
                    } finally {
                        lock.unlock();
                    }
                }, backoff.delay(attempt));
                return;
            }
        } finally {
            lock.unlock();
        }
        followers.forEach(f -> f.reply.completeExceptionally(cause));
        boolean active;
        lock.lock();
        try {
            active = agent.isActive();
        } finally {
            lock.unlock();
        }
        if (current && active) {
            listeners.error(new HeliographException(Completions.codeOf(cause),
                    "re-entering presence on " + channel + " failed: " + cause.getMessage(), cause));
        }
    }
}
