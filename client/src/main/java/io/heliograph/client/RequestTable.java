package io.heliograph.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.client.PendingRequest.Kind;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.Utf8;

/**
 * The client's requests waiting for their answers: it sends each through the current connection's pacer, times the
 * wait for its answer from when it leaves (not while it queues behind a large restore), re-sends publishes (after no
 * answer, after a transient refusal with backoff) until their deadline, and matches answers to requests by id.
 *
 * <p>Guarded by the client's lock: methods without a note run with it held; the timer callbacks take it themselves.
 */
final class RequestTable {

    /** What the table needs of its client. Called with the client's lock held. */
    interface Link {
        /** The current connection, or null between connections. */
        Connection connection();

        /** The current connection's pacer, or null while not connected. */
        OutboundPacer pacer();

        /** Runs {@code task} after {@code delay} on the client's timer thread; null once the client is closed. */
        ScheduledFuture<?> schedule(Runnable task, Duration delay);
    }

    private final ReentrantLock lock;
    private final Link link;
    private final Backoff backoff;
    private final Duration requestTimeout;
    private final AtomicLong publishesResent;
    private final AtomicLong publishesExpired;
    private final Map<String, PendingRequest> pending = new LinkedHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();

    RequestTable(ReentrantLock lock, Link link, Backoff backoff, Duration requestTimeout, AtomicLong publishesResent,
                 AtomicLong publishesExpired) {
        this.lock = lock;
        this.link = link;
        this.backoff = backoff;
        this.requestTimeout = requestTimeout;
        this.publishesResent = publishesResent;
        this.publishesExpired = publishesExpired;
    }

    /**
     * Registers one of the application's requests, bounded by {@code limit} (a publish's deadline, else the request
     * timeout), and sends it when connected; otherwise the next connection's restore sends it.
     */
    void addForApplication(PendingRequest req, Duration limit) {
        pending.put(req.id, req);
        req.timeout = req.kind == Kind.PUBLISH
                ? link.schedule(() -> publishExpired(req, limit), limit)
                : link.schedule(() -> requestTimedOut(req), limit);
        transmit(req);
    }

    /** Registers and sends a request of the client's own making (re-attach, re-enter, heartbeat ping). */
    void addInternal(PendingRequest req) {
        pending.put(req.id, req);
        transmit(req);
    }

    /** A request frame of {@code type} with the next request id. Thread-safe. */
    ObjectNode newFrame(String type) {
        ObjectNode frame = Json.MAPPER.createObjectNode();
        frame.put("type", type);
        frame.put("id", Long.toString(requestIds.incrementAndGet(), 36));
        return frame;
    }

    /** Registers and sends {@code frame} as a request of the client's own making; see {@link #addInternal}. */
    PendingRequest sendInternal(Kind kind, String channel, PresenceAction action, ObjectNode frame) {
        PendingRequest req = new PendingRequest(frame.get("id").asText(), kind, channel, action, Json.write(frame),
                true);
        addInternal(req);
        return req;
    }

    /** Puts one of the previous connection's requests on the current one, under its old id. */
    void resend(PendingRequest req) {
        pending.put(req.id, req);
        transmit(req);
    }

    /**
     * Empties the table for a restore or for failing: the requests are returned in the order they were made, no
     * longer queued anywhere and without their per-transmission timers.
     */
    List<PendingRequest> takeAll() {
        List<PendingRequest> all = new ArrayList<>(pending.values());
        pending.clear();
        for (PendingRequest req : all) {
            req.queuedIn = null;
            req.cancelAttemptTimeout();
        }
        return all;
    }

    /**
     * The request an answer on {@code conn} settles, now out of the table; null when the id is unknown (a request
     * that timed out or was replaced at a reconnect) or when a publish refused transiently stays to be sent again.
     *
     * @param refusal the refusal the answer carries, or null for a success
     */
    PendingRequest settle(Connection conn, String id, HeliographException refusal) {
        if (conn != link.connection()) {
            return null;
        }
        PendingRequest req = pending.get(id);
        if (req == null) {
            return null;
        }
        req.cancelAttemptTimeout();
        if (refusal != null && req.kind == Kind.PUBLISH && WireErrors.isTransient(refusal)) {
            retryPublishLater(conn, req);
            return null;
        }
        pending.remove(id);
        return req;
    }

    /**
     * Lock not held: takes it. Registers an application request: sent (through the pacer) now when connected, else
     * when the next connection is established. It fails with {@link ErrorCode#UNAVAILABLE} after {@code limit}, not
     * counting time spent in the pacer behind other frames; a publish keeps being re-sent until then. A frame over
     * the edge's hard limit fails at once with 413: the edge would close the connection with 1009 for it, and a
     * re-send after the reconnect would do the same again.
     *
     * @param refuseWhenDone fails the future (and says true) when the client no longer serves requests; lock held
     */
    <T> CompletableFuture<T> submit(Kind kind, String channel, PresenceAction action, ObjectNode frame, Duration limit,
                                    Function<JsonNode, T> parse, long maxFrameBytes,
                                    Predicate<CompletableFuture<?>> refuseWhenDone, Completions completions) {
        String text = Json.write(frame);
        CompletableFuture<T> result = new CompletableFuture<>();
        if (Utf8.exceeds(text, maxFrameBytes)) {
            result.completeExceptionally(new HeliographException(ErrorCode.TOO_LARGE, "frame of "
                    + Utf8.encodedLength(text) + " bytes is over the edge's hard limit of " + maxFrameBytes
                    + " bytes (limits.max-frame-bytes)"));
            return result;
        }
        PendingRequest req = new PendingRequest(frame.get("id").asText(), kind, channel, action, text, false);
        lock.lock();
        try {
            if (refuseWhenDone.test(result)) {
                return result;
            }
            addForApplication(req, limit);
        } finally {
            lock.unlock();
        }
        req.reply.whenComplete((reply, error) -> completions.run(() -> {
            if (error != null) {
                result.completeExceptionally(Completions.unwrap(error));
                return;
            }
            try {
                result.complete(parse.apply(reply));
            } catch (RuntimeException e) {
                result.completeExceptionally(new HeliographException(ErrorCode.INTERNAL,
                        "malformed " + kind.name().toLowerCase() + " reply: " + e.getMessage(), e));
            }
        }));
        return result;
    }

    /**
     * Puts the previous connection's requests (from {@link #takeAll}) on the new one, in the order they were made:
     * attaches were replaced by the channels' own, detaches and presence changes a re-enter made moot complete as
     * done, the old connection's heartbeat pings are dropped, the rest (publishes under their msgId) are sent again.
     *
     * @param reentering presence requests the presence re-entry took over
     */
    void carryOver(List<PendingRequest> previous, Set<PendingRequest> reentering) {
        for (PendingRequest req : previous) {
            switch (req.kind) {
                case ATTACH -> {
                    // Replaced; the application's attach futures wait on the channel, not here.
                }
                case DETACH -> req.completeDiscarded();
                case PRESENCE -> {
                    if (!reentering.contains(req)) {
                        // The new connection never entered, which is what a leave (or a superseded enter) wants.
                        req.completeDiscarded();
                    }
                }
                case PING -> {
                    // Heartbeat pings belong to the old connection.
                    if (!req.internal) {
                        resend(req);
                    }
                }
                default -> resend(req);
            }
        }
    }

    /**
     * Lock not held: takes it. Completes the request a reply or an error frame with an id answers; nothing when the
     * id is unknown (see {@link #settle}).
     */
    void answer(Connection conn, JsonNode frame, boolean isError) {
        String id = frame.path("id").asText();
        HeliographException error = isError ? WireErrors.fromFrame(frame) : null;
        PendingRequest req;
        lock.lock();
        try {
            req = settle(conn, id, error);
        } finally {
            lock.unlock();
        }
        if (req == null) {
            return;
        }
        if (req.timeout != null) {
            req.timeout.cancel(false);
        }
        if (error != null) {
            req.reply.completeExceptionally(error);
        } else {
            req.reply.complete(frame);
        }
    }

    /**
     * The client failed or closed: every request is taken out and fails with {@code reason}, except attaches, whose
     * replies would forget their channel (the channels' own waiters are failed instead).
     */
    void failAll(HeliographException reason, Completions completions) {
        for (PendingRequest req : takeAll()) {
            req.cancelTimers();
            if (req.kind != Kind.ATTACH) {
                completions.fail(req.reply, reason);
            }
        }
    }

    /**
     * How much longer the application should wait for an answer to {@code req} on the current connection: a request
     * queued behind other frames has not begun its {@code requestTimeout}, and one sent later than the application
     * asked gets its full {@code requestTimeout}.
     */
    Duration answerWaitLeft(PendingRequest req) {
        OutboundPacer pacer = link.pacer();
        if (pacer == null) {
            return Duration.ZERO;
        }
        if (req.queuedIn == pacer) {
            return requestTimeout;
        }
        if (!req.sent) {
            return Duration.ZERO;
        }
        long leftNs = req.sentAtNs + requestTimeout.toNanos() - System.nanoTime();
        return leftNs > 0 ? Duration.ofNanos(leftNs) : Duration.ZERO;
    }

    /** Queues the request's frame in the current pacer, unless it already waits there or there is none. */
    private void transmit(PendingRequest req) {
        OutboundPacer pacer = link.pacer();
        Connection conn = link.connection();
        if (pacer == null || conn == null || req.queuedIn == pacer) {
            return;
        }
        req.queuedIn = pacer;
        pacer.send(req.frame, () -> leaving(conn, req));
    }

    /**
     * Runs on the timer thread when the pacer is about to hand the frame to the socket. False drops the frame: the
     * request was answered, given up or replaced meanwhile.
     */
    private boolean leaving(Connection conn, PendingRequest req) {
        lock.lock();
        try {
            if (req.queuedIn != null && req.queuedIn == link.pacer()) {
                req.queuedIn = null;
            }
            if (conn != link.connection() || pending.get(req.id) != req) {
                return false;
            }
            if (req.sent && req.kind == Kind.PUBLISH) {
                publishesResent.incrementAndGet();
            }
            req.sent = true;
            req.sentAtNs = System.nanoTime();
            if (req.retriedWhenUnanswered()) {
                req.cancelAttemptTimeout();
                req.attemptTimeout = link.schedule(() -> attemptTimedOut(conn, req), requestTimeout);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * No answer to one transmission within {@code requestTimeout}, on a connection that is still up: a publish is
     * sent again at once (its msgId makes a second copy harmless); a re-attach or re-enter fails as "no answer",
     * which its owner retries with backoff.
     */
    private void attemptTimedOut(Connection conn, PendingRequest req) {
        lock.lock();
        try {
            if (conn != link.connection() || pending.get(req.id) != req || req.queuedIn != null) {
                return;
            }
            if (req.kind == Kind.PUBLISH) {
                transmit(req);
                return;
            }
            pending.remove(req.id);
        } finally {
            lock.unlock();
        }
        req.reply.completeExceptionally(WireErrors.timeout(req.kind.name().toLowerCase(), requestTimeout.toMillis()));
    }

    /** A publish refused transiently (429, 500, 503) is sent again after a backoff, on the same connection. */
    private void retryPublishLater(Connection conn, PendingRequest req) {
        link.schedule(() -> {
            lock.lock();
            try {
                if (conn == link.connection() && pending.get(req.id) == req) {
                    transmit(req);
                }
            } finally {
                lock.unlock();
            }
        }, backoff.delay(req.attempts++));
    }

    private void publishExpired(PendingRequest req, Duration deadline) {
        lock.lock();
        try {
            // Whoever takes it out of the table (this, its ack, a permanent refusal, failing) completes it.
            if (!pending.remove(req.id, req)) {
                return;
            }
            req.cancelAttemptTimeout();
            publishesExpired.incrementAndGet();
        } finally {
            lock.unlock();
        }
        req.reply.completeExceptionally(new HeliographException(ErrorCode.UNAVAILABLE,
                "publish not acknowledged within its deadline of " + deadline.toMillis() + " ms"));
    }

    private void requestTimedOut(PendingRequest req) {
        lock.lock();
        try {
            Duration left = pending.get(req.id) == req ? answerWaitLeft(req) : Duration.ZERO;
            if (left.isPositive()) {
                req.timeout = link.schedule(() -> requestTimedOut(req), left);
                return;
            }
            pending.remove(req.id, req);
        } finally {
            lock.unlock();
        }
        req.reply.completeExceptionally(WireErrors.timeout(req.kind.name().toLowerCase(), requestTimeout.toMillis()));
    }
}
