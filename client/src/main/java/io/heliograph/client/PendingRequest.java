package io.heliograph.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.Serial;

/**
 * A request waiting for its reply. Internal requests (re-attach, re-enter, heartbeat pings) are replaced on the next
 * reconnect; re-attaches and re-enters wait {@code requestTimeout} for each answer and are tried again after it. The
 * application's requests survive reconnects: publishes until acked or past their deadline (re-sent after each
 * unanswered {@code requestTimeout}), the others until {@code requestTimeout}.
 *
 * <p>Not thread-safe: the mutable fields are guarded by the client's lock.
 */
final class PendingRequest {

    enum Kind { ATTACH, DETACH, PUBLISH, PRESENCE, PRESENCE_GET, HISTORY, PING }

    final String id;
    final Kind kind;
    final String channel;
    final PresenceAction action;
    final String frame;
    /** Made by the client itself (re-attach, re-enter, heartbeat ping), not by the application. */
    final boolean internal;
    final CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    /** The application's bound: the publish deadline, or the request timeout of its other requests. */
    ScheduledFuture<?> timeout;
    /** Bounds the wait for the answer to one transmission of a request that is tried again. */
    ScheduledFuture<?> attemptTimeout;
    /** Handed to a socket at least once: a later transmission is a re-send. */
    boolean sent;
    /** The pacer it waits in, or null once it left (or before it was queued). */
    OutboundPacer queuedIn;
    /** When it last left a pacer, {@link System#nanoTime()}. */
    long sentAtNs;
    /** Transient refusals so far: the exponent of the backoff before the next try. */
    int attempts;
    /** For an attach: the serial it asked to resume from, or null. */
    Serial fromSerial;

    PendingRequest(String id, Kind kind, String channel, PresenceAction action, String frame, boolean internal) {
        this.id = id;
        this.kind = kind;
        this.channel = channel;
        this.action = action;
        this.frame = frame;
        this.internal = internal;
    }

    /** Re-attaches, re-enters and publishes are tried again when an answer does not come in time. */
    boolean retriedWhenUnanswered() {
        return kind == Kind.PUBLISH || internal && (kind == Kind.ATTACH || kind == Kind.PRESENCE);
    }

    /** Stops both timers: the request is settled, or about to be sent again under new ones. */
    void cancelTimers() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        cancelAttemptTimeout();
    }

    /**
     * Completes a request the new connection has no use for (a detach of the old one, a presence change a re-enter
     * made moot) as done: what it asked for holds.
     */
    void completeDiscarded() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        reply.complete(com.fasterxml.jackson.databind.node.NullNode.getInstance());
    }

    void cancelAttemptTimeout() {
        if (attemptTimeout != null) {
            attemptTimeout.cancel(false);
        }
    }
}
