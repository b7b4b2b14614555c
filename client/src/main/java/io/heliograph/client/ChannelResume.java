package io.heliograph.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.client.PendingRequest.Kind;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;

/**
 * The channels the application attached, and their delivery: it attaches each on every new connection (any node, any
 * region) from the serial of the last message delivered, lets through only messages after that serial (so nothing is
 * delivered twice across a resume), retries re-attaches refused transiently or unanswered, and turns a {@code 410}
 * (or a latest serial behind the cursor) into the cursor's reset and a continuity-lost event.
 *
 * <p>Guarded by the client's lock: methods without a note run with it held; reply and timer callbacks take it.
 */
final class ChannelResume {

    private final ReentrantLock lock;
    private final ConnectionAgent agent;
    private final RequestTable requests;
    private final Backoff backoff;
    private final Duration requestTimeout;
    private final ApplicationListeners listeners;
    private final ClientCounters counters;
    private final Completions completions;
    private final Map<String, AttachedChannel> channels = new LinkedHashMap<>();

    ChannelResume(ReentrantLock lock, ConnectionAgent agent, RequestTable requests, Backoff backoff,
                  Duration requestTimeout, ApplicationListeners listeners, ClientCounters counters,
                  Completions completions) {
        this.lock = lock;
        this.agent = agent;
        this.requests = requests;
        this.backoff = backoff;
        this.requestTimeout = requestTimeout;
        this.listeners = listeners;
        this.counters = counters;
        this.completions = completions;
    }

    /**
     * The application attaches {@code channel} (again), delivering what follows {@code fromSerial} when given; the
     * waiter completes with the first answer, or fails with the edge's last refusal after {@code requestTimeout}.
     */
    void attach(String channel, Serial fromSerial, CompletableFuture<AttachResult> waiter) {
        AttachedChannel ch = channels.computeIfAbsent(channel, AttachedChannel::new);
        ch.cursor.skipTo(fromSerial);
        ch.waiters.add(waiter);
        agent.schedule(() -> attachTimedOut(ch, waiter), requestTimeout);
        if (agent.state() == ConnectionState.CONNECTED) {
            sendAttach(ch);
        }
    }

    /** Forgets {@code channel}: not delivered, not re-attached; its application's attaches still waiting fail. */
    void detach(String channel) {
        AttachedChannel ch = channels.remove(channel);
        if (ch != null) {
            HeliographException detached = new HeliographException(ErrorCode.BAD_REQUEST,
                    "channel " + channel + " was detached before the attach completed");
            ch.waiters.forEach(w -> completions.fail(w, detached));
            ch.waiters.clear();
        }
    }

    /** A new connection is up: every channel is attached on it from its cursor, replacing attaches in flight. */
    void resumeAll() {
        for (AttachedChannel ch : channels.values()) {
            ch.inFlight = null;
            sendAttach(ch);
        }
    }

    /** The client failed or closed: the application's attaches still waiting fail; channels stay for a reconnect. */
    void failWaiters(HeliographException reason) {
        for (AttachedChannel ch : channels.values()) {
            ch.waiters.forEach(w -> completions.fail(w, reason));
            ch.waiters.clear();
        }
    }

    /** Lock not held. A {@code message} frame: delivered once, in order, or dropped as already delivered. */
    void message(Connection conn, JsonNode frame) {
        ChannelMessage message = Frames.readMessage(frame);
        lock.lock();
        try {
            if (conn != agent.connection()) {
                return;
            }
            AttachedChannel ch = channels.get(message.channel());
            if (ch == null) {
                // Detached, or in flight before the server saw our detach.
                return;
            }
            switch (ch.cursor.offer(message.serial())) {
                case DUPLICATE -> {
                    counters.duplicatesDropped.incrementAndGet();
                    return;
                }
                case DELIVER_AFTER_GAP -> {
                    // The edge streams every channel without gaps; one here means it could not deliver what lies
                    // between (history no longer held it). The application is told before the next message.
                    counters.gapsDetected.incrementAndGet();
                    counters.continuityLosses.incrementAndGet();
                    listeners.continuityLost(message.channel());
                }
                case DELIVER -> { }
            }
            // Enqueued under the lock, so that delivery order is the order the cursor accepted.
            listeners.message(message);
        } finally {
            lock.unlock();
        }
    }

    private void sendAttach(AttachedChannel ch) {
        ObjectNode frame = requests.newFrame(FrameTypes.ATTACH);
        frame.put("channel", ch.name);
        Serial from = ch.cursor.lastSerial();
        if (from != null) {
            frame.put("fromSerial", from.toString());
        }
        Connection conn = agent.connection();
        PendingRequest req = requests.sendInternal(Kind.ATTACH, ch.name, null, frame);
        req.fromSerial = from;
        ch.inFlight = req;
        req.reply.whenComplete((reply, error) -> onAttachReply(conn, ch, req, reply, error));
    }

    /**
     * An attach answered, refused or unanswered. Success confirms the channel (and on 410 moves its cursor to where
     * the edge resumed); a transient refusal keeps the channel and its cursor and tries again with backoff; only a
     * permanent refusal removes it, telling the application.
     */
    private void onAttachReply(Connection conn, AttachedChannel ch, PendingRequest req, JsonNode reply,
                               Throwable error) {
        List<CompletableFuture<AttachResult>> waiters;
        AttachResult result = null;
        Throwable failed = error == null ? null : Completions.unwrap(error);
        lock.lock();
        try {
            if (channels.get(ch.name) != ch || ch.inFlight != req) {
                // Detached, or superseded by a later attach (a reconnect's restore, the application attaching again).
                return;
            }
            ch.inFlight = null;
            if (failed == null) {
                try {
                    result = accepted(ch, req, reply);
                } catch (RuntimeException e) {
                    failed = new HeliographException(ErrorCode.INTERNAL, "malformed attached reply: " + e.getMessage(),
                            e);
                }
            }
            if (result != null) {
                ch.confirmed = true;
                ch.retries = 0;
                ch.lastRefusal = null;
                if (result.continuityLost()) {
                    counters.continuityLosses.incrementAndGet();
                    listeners.continuityLost(ch.name);
                }
            } else if (WireErrors.isTransient(failed)) {
                if (!WireErrors.isNoAnswer(failed)) {
                    ch.lastRefusal = failed;
                }
                if (agent.isConnectedOn(conn)) {
                    retryAttachLater(conn, ch);
                }
                // The application's waiters wait for the retry, or for their own timeout.
                return;
            } else {
                channels.remove(ch.name);
                if (ch.confirmed) {
                    counters.channelsDropped.incrementAndGet();
                    Throwable cause = failed;
                    HeliographException reason = new HeliographException(Completions.codeOf(cause),
                            "re-attach of " + ch.name + " refused: " + cause.getMessage(), cause);
                    listeners.channelDropped(new ChannelDropped(ch.name, ch.cursor.lastSerial(), reason));
                }
            }
            waiters = new ArrayList<>(ch.waiters);
            ch.waiters.clear();
        } finally {
            lock.unlock();
        }
        for (CompletableFuture<AttachResult> waiter : waiters) {
            if (result != null) {
                completions.complete(waiter, result);
            } else {
                completions.fail(waiter, failed);
            }
        }
    }

    /** The {@code attached} reply: where the channel stands now, and whether the resume reached back. */
    private static AttachResult accepted(AttachedChannel ch, PendingRequest req, JsonNode reply) {
        Serial serial = reply.hasNonNull("serial") ? Serial.parse(reply.path("serial").asText(null)) : null;
        Serial from = req.fromSerial;
        // An edge that answers a resume with neither 410 nor "resumed" gives a restarted channel away only by a
        // latest serial behind the one asked for. One that says "resumed" is believed: in a mesh the home's visible
        // latest serial may be behind one the client received in another region (that region holds it, and the
        // home's commit waits for its acknowledgement), and the edge delivers what follows from the cursor.
        boolean resumedByEdge = reply.path("resumed").asBoolean(false);
        boolean restartedBehind = from != null && !resumedByEdge && (serial == null || serial.compareTo(from) < 0);
        boolean lost = reply.path("code").asInt(0) == ErrorCode.CONTINUITY_LOST.code() || restartedBehind;
        if (lost) {
            // Only messages after serial follow, and serial may be behind the cursor (the channel's state was lost
            // and started again): resume from it, or every new message is a "duplicate".
            ch.cursor.resetTo(serial);
        } else if (ch.cursor.lastSerial() == null) {
            // A plain attach starts at the channel's serial: a resume after a drop then covers the gap.
            ch.cursor.skipTo(serial);
        }
        return new AttachResult(ch.name, serial, !lost && resumedByEdge, lost);
    }

    private void retryAttachLater(Connection conn, AttachedChannel ch) {
        counters.attachRetries.incrementAndGet();
        Duration delay = backoff.delay(ch.retries++);
        agent.schedule(() -> {
            lock.lock();
            try {
                if (agent.isConnectedOn(conn) && channels.get(ch.name) == ch && ch.inFlight == null) {
                    sendAttach(ch);
                }
            } finally {
                lock.unlock();
            }
        }, delay);
    }

    private void attachTimedOut(AttachedChannel ch, CompletableFuture<AttachResult> waiter) {
        Throwable lastRefusal;
        lock.lock();
        try {
            if (!ch.waiters.contains(waiter)) {
                return;
            }
            Duration left = ch.inFlight == null ? Duration.ZERO : requests.answerWaitLeft(ch.inFlight);
            if (left.isPositive()) {
                agent.schedule(() -> attachTimedOut(ch, waiter), left);
                return;
            }
            ch.waiters.remove(waiter);
            lastRefusal = ch.lastRefusal;
            // Never confirmed: forget it, so that a late attached reply delivers nothing the application gave up on.
            if (!ch.confirmed && ch.waiters.isEmpty() && channels.get(ch.name) == ch) {
                channels.remove(ch.name);
            }
        } finally {
            lock.unlock();
        }
        // The edge's last word says more than "timed out" (e.g. 429, channel limit reached): fail with it.
        HeliographException reason = lastRefusal == null
                ? WireErrors.timeout("attach " + ch.name, requestTimeout.toMillis())
                : new HeliographException(Completions.codeOf(lastRefusal), "attach " + ch.name
                        + " not accepted within " + requestTimeout.toMillis() + " ms; last refusal: "
                        + lastRefusal.getMessage(), lastRefusal);
        completions.fail(waiter, reason);
    }
}
