package io.heliograph.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.client.PendingRequest.Kind;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.ChannelName;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Serial;

/**
 * A connection to the Heliograph mesh that survives the loss of any one edge node: it reconnects across the configured
 * URLs with jittered backoff, re-attaches every channel from the last serial the application received, re-enters
 * presence and re-sends unacknowledged publishes with their original message id, so the application sees every
 * message exactly once and in order. Everything it sends is paced under the edge's rate limit ({@link OutboundPacer}),
 * and transient refusals (429, 500, 503, no answer) are retried with backoff rather than dropping a channel, a
 * presence entry or a publish.
 *
 * <p>Every public method may be called from any thread. Futures complete, and listeners run, off the WebSocket's
 * thread; message, presence, state and continuity listeners all run on one dispatcher thread per client, in order.
 */
public final class HeliographClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeliographClient.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** The heartbeat allowance of Protocol v1: a node silent for this many heartbeats is dead. */
    private static final double HEARTBEAT_TOLERANCE = 2.5;

    private record Session(String connectionId, String clientId, String region, String node, long heartbeatMs) {
    }

    private final EndpointRing endpoints;
    private final Supplier<String> tokens;
    private final boolean renewableToken;
    private final Backoff backoff;
    private final Duration requestTimeout;
    private final Duration publishDeadline;
    private final long maxFrameBytes;
    /** The edge's per-connection rate limit, which the client's pacer stays under. */
    private final double edgeRatePerSecond;
    private final int edgeRateBurst;
    /** Bounds reaching a node (TCP, upgrade and the connected frame): a frozen node must not hold a client long. */
    private final Duration connectTimeout;
    private final HttpClient http;
    private final ScheduledExecutorService timers;
    private final ExecutorService completions;
    private final ApplicationListeners listeners;
    private final AtomicLong requestIds = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    // Everything below up to the listeners is guarded by lock.
    private ConnectionState state = ConnectionState.CLOSED;
    private boolean closed;
    private Connection connection;
    /** Paces the current connection's frames; replaced with it. */
    private OutboundPacer pacer;
    private boolean everConnected;
    private int failedAttempts;
    private boolean tokenRenewed;
    private long attemptSeq;
    private ScheduledFuture<?> attemptTimer;
    private ScheduledFuture<?> heartbeatTimer;
    private long lastPingNs;
    private HeliographException failure;
    private CompletableFuture<Void> connectFuture;
    private final Map<String, AttachedChannel> channels = new LinkedHashMap<>();
    /** Channels where the application entered presence, with its latest data; re-entered after a reconnect. */
    private final Map<String, JsonNode> presenceData = new LinkedHashMap<>();
    private final RequestTable requests;
    private volatile Session session;

    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong connectionAttempts = new AtomicLong();
    private final AtomicLong duplicatesDropped = new AtomicLong();
    private final AtomicLong messagesDelivered = new AtomicLong();
    private final AtomicLong gapsDetected = new AtomicLong();
    private final AtomicLong continuityLosses = new AtomicLong();
    private final AtomicLong publishesResent = new AtomicLong();
    private final AtomicLong heartbeatTimeouts = new AtomicLong();
    private final AtomicLong rateLimitRefusals = new AtomicLong();
    private final AtomicLong policyCloses = new AtomicLong();
    private final AtomicLong framesPaced = new AtomicLong();
    private final AtomicLong attachRetries = new AtomicLong();
    private final AtomicLong presenceRetries = new AtomicLong();
    private final AtomicLong channelsDropped = new AtomicLong();
    private final AtomicLong publishesExpired = new AtomicLong();

    private HeliographClient(Builder b) {
        this.endpoints = new EndpointRing(b.urls);
        this.renewableToken = b.tokenSupplier != null;
        String fixed = b.token;
        this.tokens = renewableToken ? b.tokenSupplier : () -> fixed;
        this.backoff = new Backoff(b.backoffInitial, b.backoffMax, b.random);
        this.requestTimeout = b.requestTimeout;
        this.publishDeadline = b.publishDeadline;
        this.maxFrameBytes = b.maxFrameBytes;
        this.edgeRatePerSecond = b.edgeRatePerSecond;
        this.edgeRateBurst = b.edgeRateBurst;
        int n = INSTANCES.incrementAndGet();
        this.connectTimeout = b.connectTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "heliograph-client-" + n + "-timer");
            t.setDaemon(true);
            return t;
        });
        timerPool.setRemoveOnCancelPolicy(true);
        this.timers = timerPool;
        this.completions = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("heliograph-client-" + n + "-completion-", 0).factory());
        this.requests = new RequestTable(lock, new CurrentLink(), backoff, requestTimeout, publishesResent,
                publishesExpired);
        this.listeners = new ApplicationListeners("heliograph-client-" + n + "-dispatch", this::resumeReading,
                messagesDelivered);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /**
     * Starts connecting. The future completes when the first {@code connected} frame arrives; failed connection
     * attempts are retried, so it fails only when the client reaches {@link ConnectionState#FAILED} or is closed. On a
     * client that failed, starts over (with a fresh token from the supplier, if one was given).
     */
    public CompletableFuture<Void> connect() {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new HeliographException(ErrorCode.UNAVAILABLE, "client is closed"));
            }
            if (state == ConnectionState.CONNECTED) {
                return CompletableFuture.completedFuture(null);
            }
            if (state == ConnectionState.CONNECTING || state == ConnectionState.DISCONNECTED) {
                return publicView(connectFuture);
            }
            failure = null;
            failedAttempts = 0;
            tokenRenewed = false;
            connectFuture = new CompletableFuture<>();
            setState(ConnectionState.CONNECTING);
            scheduleAttempt(Duration.ZERO, null);
            return publicView(connectFuture);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the connection and stops every thread of this client. Pending requests fail with
     * {@link ErrorCode#UNAVAILABLE}; listeners get the {@link ConnectionState#CLOSED} state and then nothing more.
     */
    @Override
    public void close() {
        Connection old;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            old = connection;
            dropConnection(false);
            failEverything(new HeliographException(ErrorCode.UNAVAILABLE, "client closed"));
            setState(ConnectionState.CLOSED);
        } finally {
            lock.unlock();
        }
        if (old != null) {
            old.close(1000, "client closed");
        }
        timers.shutdownNow();
        listeners.shutdown();
        completions.shutdown();
        http.shutdown();
    }

    public ConnectionState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    private boolean isActive() {
        lock.lock();
        try {
            return !closed && state != ConnectionState.FAILED;
        } finally {
            lock.unlock();
        }
    }

    /** Why the client is {@link ConnectionState#FAILED}, or null when it is not. */
    public HeliographException failureReason() {
        lock.lock();
        try {
            return state == ConnectionState.FAILED ? failure : null;
        } finally {
            lock.unlock();
        }
    }

    /** From the last {@code connected} frame; null before the first one. */
    public String connectionId() {
        Session s = session;
        return s == null ? null : s.connectionId();
    }

    /** The client id the token grants, from the last {@code connected} frame. */
    public String clientId() {
        Session s = session;
        return s == null ? null : s.clientId();
    }

    /** The region of the node this client is (or was last) connected to. */
    public String region() {
        Session s = session;
        return s == null ? null : s.region();
    }

    /** The node this client is (or was last) connected to. */
    public String node() {
        Session s = session;
        return s == null ? null : s.node();
    }

    // ---------------------------------------------------------------------------------------------- channels

    /** Attaches to a channel from now on: messages published after the attach are delivered. */
    public CompletableFuture<AttachResult> attach(String channel) {
        return attach(channel, null);
    }

    /**
     * Attaches to a channel and delivers every message after {@code fromSerial} before the live ones. When history no
     * longer reaches back that far, the result says {@code continuityLost} and the continuity listeners are called.
     * Attaching a channel already attached resumes it from the last delivered message; nothing is delivered twice.
     *
     * @param fromSerial null for live messages only
     * @throws HeliographException 400 for an invalid channel name
     */
    public CompletableFuture<AttachResult> attach(String channel, Serial fromSerial) {
        ChannelName.require(channel);
        CompletableFuture<AttachResult> waiter = new CompletableFuture<>();
        lock.lock();
        try {
            if (refuseWhenDone(waiter)) {
                return waiter;
            }
            AttachedChannel ch = channels.computeIfAbsent(channel, AttachedChannel::new);
            ch.cursor.skipTo(fromSerial);
            ch.waiters.add(waiter);
            scheduleTimer(() -> attachTimedOut(ch, waiter), requestTimeout);
            if (state == ConnectionState.CONNECTED) {
                sendAttach(ch);
            }
        } finally {
            lock.unlock();
        }
        return publicView(waiter);
    }

    /** Detaches from a channel: no more messages of it are delivered, and it is not re-attached after a reconnect. */
    public CompletableFuture<Void> detach(String channel) {
        ChannelName.require(channel);
        lock.lock();
        try {
            AttachedChannel ch = channels.remove(channel);
            if (ch != null) {
                HeliographException detached = new HeliographException(ErrorCode.BAD_REQUEST,
                        "channel " + channel + " was detached before the attach completed");
                ch.waiters.forEach(w -> failAsync(w, detached));
                ch.waiters.clear();
            }
            if (state != ConnectionState.CONNECTED) {
                // Nothing to undo on a server we are not connected to; the next connection will not attach it.
                return CompletableFuture.completedFuture(null);
            }
        } finally {
            lock.unlock();
        }
        ObjectNode frame = frame("detach");
        frame.put("channel", channel);
        return request(Kind.DETACH, channel, null, frame, requestTimeout, reply -> null);
    }

    /** Publishes with a client-generated message id; see {@link #publish(OutgoingMessage)}. */
    public CompletableFuture<PublishAck> publish(String channel, String name, Object data) {
        return publish(new OutgoingMessage(channel, name, toJson(data), null, null, null)).ack();
    }

    /** Publishes with a client-generated message id; see {@link #publish(OutgoingMessage)}. */
    public CompletableFuture<PublishAck> publish(String channel, String name, JsonNode data) {
        return publish(new OutgoingMessage(channel, name, data, null, null, null)).ack();
    }

    /** Publishes any value Jackson can encode; see {@link #publish(OutgoingMessage)}. */
    public CompletableFuture<PublishAck> publish(String channel, String name, Object data, String msgId) {
        return publish(new OutgoingMessage(channel, name, toJson(data), msgId, null, null)).ack();
    }

    /**
     * Publishes a message; see {@link #publish(OutgoingMessage)}.
     *
     * @param name  optional event name, may be null
     * @param msgId the idempotency key; null to let the client generate a random UUID
     * @throws HeliographException 400 for an invalid channel name or message id
     */
    public CompletableFuture<PublishAck> publish(String channel, String name, JsonNode data, String msgId) {
        return publish(new OutgoingMessage(channel, name, data, msgId, null, null)).ack();
    }

    /**
     * Publishes a message and shows its message id at once. The client keeps the publish until the edge acks it and
     * sends it again, always with the same {@code msgId} (which the edge deduplicates), after a reconnect, after
     * {@code requestTimeout} without an answer, and after a transient refusal (429, 500, 503, with backoff). The ack
     * fails only for a permanent refusal (400, 403, 413), when the message's deadline passes (default
     * {@code publishDeadline}, 60 s: shorter than the edge's 2-minute dedup window, so no re-send can be stored
     * twice), or when the client is closed or fails. An application that retries after that publishes again with
     * {@link Publication#msgId()}.
     */
    /** The ack's {@code durability}; null when absent or not one this client knows (a newer edge). */
    private static Durability durabilityOf(JsonNode reply) {
        try {
            return Durability.parse(reply.path("durability").asText(null));
        } catch (HeliographException e) {
            return null;
        }
    }

    public Publication publish(OutgoingMessage message) {
        String msgId = message.msgId() != null ? message.msgId() : UUID.randomUUID().toString();
        ObjectNode frame = frame("publish");
        frame.put("channel", message.channel());
        if (message.name() != null) {
            frame.put("name", message.name());
        }
        frame.set("data", message.data());
        frame.put("msgId", msgId);
        if (message.durability() != null) {
            frame.put("durability", message.durability().wireName());
        }
        Duration deadline = message.deadline() != null ? message.deadline() : publishDeadline;
        CompletableFuture<PublishAck> ack = request(Kind.PUBLISH, message.channel(), null, frame, deadline,
                reply -> new PublishAck(Serial.parse(reply.path("serial").asText(null)),
                        reply.hasNonNull("msgId") ? reply.get("msgId").asText() : msgId,
                        durabilityOf(reply)));
        return new Publication(msgId, ack);
    }

    // ---------------------------------------------------------------------------------------------- presence

    /** Enters the channel's presence set; after a reconnect the client re-enters with the latest data. */
    public CompletableFuture<Void> enterPresence(String channel, Object data) {
        return presence(channel, PresenceAction.ENTER, data);
    }

    public CompletableFuture<Void> updatePresence(String channel, Object data) {
        return presence(channel, PresenceAction.UPDATE, data);
    }

    public CompletableFuture<Void> leavePresence(String channel, Object data) {
        return presence(channel, PresenceAction.LEAVE, data);
    }

    /** The channel's current presence set, across every node and region. */
    public CompletableFuture<List<PresenceMember>> presenceMembers(String channel) {
        ChannelName.require(channel);
        ObjectNode frame = frame("presence.get");
        frame.put("channel", channel);
        return request(Kind.PRESENCE_GET, channel, null, frame, requestTimeout, reply -> {
            List<PresenceMember> members = new ArrayList<>();
            reply.path("members").forEach(m -> members.add(Frames.readMember(m)));
            return List.copyOf(members);
        });
    }

    private CompletableFuture<Void> presence(String channel, PresenceAction action, Object data) {
        ChannelName.require(channel);
        JsonNode json = toJson(data);
        ObjectNode frame = frame("presence");
        frame.put("channel", channel);
        frame.put("action", action.wireName());
        if (!json.isNull()) {
            frame.set("data", json);
        }
        lock.lock();
        try {
            if (action == PresenceAction.LEAVE) {
                presenceData.remove(channel);
            } else if (!closed && state != ConnectionState.FAILED) {
                presenceData.put(channel, json);
            }
        } finally {
            lock.unlock();
        }
        return request(Kind.PRESENCE, channel, action, frame, requestTimeout, reply -> null);
    }

    // ---------------------------------------------------------------------------------------------- history, ping

    /**
     * A page of the channel's history. Messages read here bypass the delivery cursor: history is for looking back,
     * listeners are for exactly-once delivery.
     *
     * @param fromSerial messages after this one; null for the oldest retained
     * @param limit      at most this many; 0 or less for the server's default
     */
    public CompletableFuture<HistoryPage> history(String channel, Serial fromSerial, int limit) {
        ChannelName.require(channel);
        ObjectNode frame = frame("history");
        frame.put("channel", channel);
        if (fromSerial != null) {
            frame.put("fromSerial", fromSerial.toString());
        }
        if (limit > 0) {
            frame.put("limit", limit);
        }
        return request(Kind.HISTORY, channel, null, frame, requestTimeout, reply -> {
            List<ChannelMessage> messages = new ArrayList<>();
            reply.path("messages").forEach(m -> messages.add(Frames.readMessage(m)));
            return new HistoryPage(messages, reply.path("more").asBoolean(false));
        });
    }

    /** Round trip to the connected node; completes with the measured time. */
    public CompletableFuture<Duration> ping() {
        long startNs = System.nanoTime();
        return request(Kind.PING, null, null, frame("ping"), requestTimeout,
                reply -> Duration.ofNanos(System.nanoTime() - startNs));
    }

    // ---------------------------------------------------------------------------------------------- listeners

    /** Every message of every attached channel, exactly once, in order per channel. */
    public Registration onMessage(Consumer<ChannelMessage> listener) {
        return listeners.onMessage(listener);
    }

    /** Every message of one channel, exactly once, in order. */
    public Registration onMessage(String channel, Consumer<ChannelMessage> listener) {
        return listeners.onMessage(channel, listener);
    }

    public Registration onPresence(Consumer<PresenceEvent> listener) {
        return listeners.onPresence(listener);
    }

    public Registration onPresence(String channel, Consumer<PresenceEvent> listener) {
        return listeners.onPresence(channel, listener);
    }

    public Registration onStateChange(Consumer<ConnectionState> listener) {
        return listeners.onStateChange(listener);
    }

    /**
     * Called with the channel's name when an attach or resume could not reach back to the requested serial (code
     * 410): some messages will never be delivered, and the application may want to reload its state.
     */
    public Registration onContinuityLost(Consumer<String> listener) {
        return listeners.onContinuityLost(listener);
    }

    /** Like {@link #onContinuityLost(Consumer)}, for one channel. */
    public Registration onContinuityLost(String channel, Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        return onContinuityLost(c -> {
            if (c.equals(channel)) {
                listener.run();
            }
        });
    }

    /**
     * Called when the client stops re-attaching a channel because the edge refused it permanently (400, 403, ...):
     * its messages stop until the application attaches it again. Transient refusals never drop a channel.
     */
    public Registration onChannelDropped(Consumer<ChannelDropped> listener) {
        return listeners.onChannelDropped(listener);
    }

    /**
     * Failures that no future can carry: error frames without a request id (such as the edge's 429 for a frame over
     * its rate limit), a re-attach or re-enter refused permanently after a reconnect, malformed frames, and exceptions
     * thrown by listeners.
     */
    public Registration onError(Consumer<Throwable> listener) {
        return listeners.onError(listener);
    }


    // ---------------------------------------------------------------------------------------------- counters

    /** Connections established after the first one. */
    public long reconnects() {
        return reconnects.get();
    }

    /** WebSocket opens attempted, successful or not. */
    public long connectionAttempts() {
        return connectionAttempts.get();
    }

    /** Messages dropped because the application had already received them (resume overlap, re-sent live copies). */
    public long duplicatesDropped() {
        return duplicatesDropped.get();
    }

    /** Messages handed to the listeners. */
    public long messagesDelivered() {
        return messagesDelivered.get();
    }

    /** Times a message's serial skipped ahead within an epoch, i.e. messages the server never sent. */
    public long gapsDetected() {
        return gapsDetected.get();
    }

    /** Attaches answered with code 410. */
    public long continuityLosses() {
        return continuityLosses.get();
    }

    /**
     * Publishes sent again with their original message id: after a reconnect, after {@code requestTimeout} without
     * an answer, or after a transient refusal.
     */
    public long publishesResent() {
        return publishesResent.get();
    }

    /** Publishes given up unacknowledged because their deadline passed. */
    public long publishesExpired() {
        return publishesExpired.get();
    }

    /** Frames the edge refused for its rate limit (429 without a request id); pacing should keep this at 0. */
    public long rateLimitRefusals() {
        return rateLimitRefusals.get();
    }

    /** Connections the edge closed with 1008 (sustained rate-limit abuse); each is retried after the longest backoff. */
    public long policyCloses() {
        return policyCloses.get();
    }

    /** Frames that waited in the pacer, behind others or for a token, instead of leaving at once. */
    public long framesPaced() {
        return framesPaced.get();
    }

    /** Attaches sent again after a transient refusal (429, 500, 503) or no answer within {@code requestTimeout}. */
    public long attachRetries() {
        return attachRetries.get();
    }

    /** Presence re-enters sent again after a transient refusal or no answer within {@code requestTimeout}. */
    public long presenceRetries() {
        return presenceRetries.get();
    }

    /** Channels no longer re-attached because the edge refused them permanently; see {@link #onChannelDropped}. */
    public long channelsDropped() {
        return channelsDropped.get();
    }

    /** Connections given up because the node stayed silent for 2.5 heartbeats. */
    public long heartbeatTimeouts() {
        return heartbeatTimeouts.get();
    }

    // ---------------------------------------------------------------------------------------------- requests

    private ObjectNode frame(String type) {
        ObjectNode frame = Json.MAPPER.createObjectNode();
        frame.put("type", type);
        frame.put("id", Long.toString(requestIds.incrementAndGet(), 36));
        return frame;
    }

    private static JsonNode toJson(Object data) {
        if (data == null) {
            return NullNode.getInstance();
        }
        if (data instanceof JsonNode node) {
            return node;
        }
        return Json.MAPPER.valueToTree(data);
    }

    /**
     * Registers an application request: sent (through the pacer) now when connected, else when the next connection
     * is established. It fails with {@link ErrorCode#UNAVAILABLE} after {@code limit}, not counting time spent in the
     * pacer behind other frames; a publish keeps being re-sent until then.
     */
    private <T> CompletableFuture<T> request(Kind kind, String channel, PresenceAction action, ObjectNode frame,
                                             Duration limit, Function<JsonNode, T> parse) {
        String text = Json.write(frame);
        CompletableFuture<T> result = new CompletableFuture<>();
        if (io.heliograph.protocol.Utf8.exceeds(text, maxFrameBytes)) {
            // The edge would close the connection with 1009 for it, and a resend after the reconnect would do the
            // same again: refuse it here, as the edge's documented 413.
            result.completeExceptionally(new HeliographException(ErrorCode.TOO_LARGE, "frame of "
                    + io.heliograph.protocol.Utf8.encodedLength(text) + " bytes is over the edge's hard limit of "
                    + maxFrameBytes + " bytes (limits.max-frame-bytes)"));
            return result;
        }
        PendingRequest req = new PendingRequest(frame.get("id").asText(), kind, channel, action, text, false);
        lock.lock();
        try {
            if (refuseWhenDone(result)) {
                return result;
            }
            requests.addForApplication(req, limit);
        } finally {
            lock.unlock();
        }
        req.reply.whenComplete((reply, error) -> runAsync(() -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
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

    /** Sends a request of the client's own making; caller holds the lock and is connected. */
    private PendingRequest sendInternal(Kind kind, String channel, PresenceAction action, ObjectNode frame) {
        PendingRequest req = new PendingRequest(frame.get("id").asText(), kind, channel, action,
                Json.write(frame), true);
        requests.addInternal(req);
        return req;
    }

    /** What the request table sees of the client: the current connection and pacer, and its timer. */
    private final class CurrentLink implements RequestTable.Link {
        @Override
        public Connection connection() {
            return connection;
        }

        @Override
        public OutboundPacer pacer() {
            return pacer;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
            return scheduleTimer(task, delay);
        }
    }

    /** Caller holds the lock. True (and the future failed) when the client can no longer serve requests. */
    private boolean refuseWhenDone(CompletableFuture<?> future) {
        if (closed) {
            future.completeExceptionally(new HeliographException(ErrorCode.UNAVAILABLE, "client closed"));
            return true;
        }
        if (state == ConnectionState.FAILED) {
            future.completeExceptionally(failure);
            return true;
        }
        return false;
    }

    /** Caller holds the lock and is connected. */
    private void sendAttach(AttachedChannel ch) {
        ObjectNode frame = frame("attach");
        frame.put("channel", ch.name);
        Serial from = ch.cursor.lastSerial();
        if (from != null) {
            frame.put("fromSerial", from.toString());
        }
        Connection conn = connection;
        PendingRequest req = sendInternal(Kind.ATTACH, ch.name, null, frame);
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
        Throwable failed = error == null ? null : unwrap(error);
        lock.lock();
        try {
            if (channels.get(ch.name) != ch || ch.inFlight != req) {
                // Detached, or superseded by a later attach (a reconnect's restore, the application attaching again).
                return;
            }
            ch.inFlight = null;
            if (failed == null) {
                try {
                    String serialText = reply.path("serial").asText(null);
                    Serial serial = reply.hasNonNull("serial") ? Serial.parse(serialText) : null;
                    Serial from = req.fromSerial;
                    // A channel's latest serial is never behind one we asked to resume from unless its state was
                    // lost and started again; edges that do not say 410 for that yet still give it away.
                    boolean restartedBehind = from != null && (serial == null || serial.compareTo(from) < 0);
                    boolean lost = reply.path("code").asInt(0) == ErrorCode.CONTINUITY_LOST.code() || restartedBehind;
                    if (lost) {
                        // Only messages after serial follow, and serial may be behind the cursor (the channel's
                        // state was lost and started again): resume from it, or every new message is a "duplicate".
                        ch.cursor.resetTo(serial);
                    } else if (ch.cursor.lastSerial() == null) {
                        // A plain attach starts at the channel's serial: a resume after a drop then covers the gap.
                        ch.cursor.skipTo(serial);
                    }
                    result = new AttachResult(ch.name, serial, !lost && reply.path("resumed").asBoolean(false), lost);
                } catch (RuntimeException e) {
                    failed = new HeliographException(ErrorCode.INTERNAL, "malformed attached reply: " + e.getMessage(), e);
                }
            }
            if (result != null) {
                ch.confirmed = true;
                ch.retries = 0;
                ch.lastRefusal = null;
                if (result.continuityLost()) {
                    continuityLosses.incrementAndGet();
                    String name = ch.name;
                    listeners.continuityLost(name);
                }
            } else if (WireErrors.isTransient(failed)) {
                if (!WireErrors.isNoAnswer(failed)) {
                    ch.lastRefusal = failed;
                }
                if (conn == connection && state == ConnectionState.CONNECTED) {
                    retryAttachLater(conn, ch);
                }
                // The application's waiters wait for the retry, or for their own timeout.
                return;
            } else {
                channels.remove(ch.name);
                if (ch.confirmed) {
                    channelsDropped.incrementAndGet();
                    Throwable cause = failed;
                    HeliographException reason = new HeliographException(codeOf(cause),
                            "re-attach of " + ch.name + " refused: " + cause.getMessage(), cause);
                    ChannelDropped dropped = new ChannelDropped(ch.name, ch.cursor.lastSerial(), reason);
                    listeners.channelDropped(dropped);
                }
            }
            waiters = new ArrayList<>(ch.waiters);
            ch.waiters.clear();
        } finally {
            lock.unlock();
        }
        for (CompletableFuture<AttachResult> waiter : waiters) {
            if (result != null) {
                completeAsync(waiter, result);
            } else {
                failAsync(waiter, failed);
            }
        }
    }

    /** Caller holds the lock. */
    private void retryAttachLater(Connection conn, AttachedChannel ch) {
        attachRetries.incrementAndGet();
        Duration delay = backoff.delay(ch.retries++);
        scheduleTimer(() -> {
            lock.lock();
            try {
                if (conn == connection && state == ConnectionState.CONNECTED && channels.get(ch.name) == ch
                        && ch.inFlight == null) {
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
                scheduleTimer(() -> attachTimedOut(ch, waiter), left);
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
                : new HeliographException(codeOf(lastRefusal), "attach " + ch.name + " not accepted within "
                        + requestTimeout.toMillis() + " ms; last refusal: " + lastRefusal.getMessage(), lastRefusal);
        failAsync(waiter, reason);
    }

    // ---------------------------------------------------------------------------------------------- connecting

    /** Caller holds the lock. Replaces any scheduled attempt. */
    private void scheduleAttempt(Duration delay, URI override) {
        if (attemptTimer != null) {
            attemptTimer.cancel(false);
        }
        long seq = ++attemptSeq;
        attemptTimer = timers.schedule(() -> startAttempt(seq, override), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs on the timer thread, so that a slow token supplier never holds the caller or the lock. */
    private void startAttempt(long seq, URI override) {
        String token;
        try {
            token = tokens.get();
        } catch (RuntimeException e) {
            fail(seq, new HeliographException(ErrorCode.UNAUTHORIZED, "token supplier failed: " + e.getMessage(), e));
            return;
        }
        if (token == null || token.isBlank()) {
            fail(seq, new HeliographException(ErrorCode.UNAUTHORIZED, "no token to connect with"));
            return;
        }
        Connection conn;
        URI uri;
        lock.lock();
        try {
            if (seq != attemptSeq || closed || state == ConnectionState.FAILED) {
                return;
            }
            uri = override != null ? override : endpoints.current();
            conn = new Connection(uri, new Events(), listeners::backlog);
            connection = conn;
            setState(ConnectionState.CONNECTING);
            connectionAttempts.incrementAndGet();
        } finally {
            lock.unlock();
        }
        conn.open(http, withToken(uri, token), connectTimeout).whenComplete((ws, error) -> {
            if (error != null) {
                openFailed(conn, unwrap(error));
            } else {
                scheduleTimer(() -> connectedFrameOverdue(conn), connectTimeout);
            }
        });
    }

    /** A node that upgrades but never says {@code connected} is as useless as one that refuses. */
    private void connectedFrameOverdue(Connection conn) {
        lock.lock();
        try {
            if (conn == connection && state == ConnectionState.CONNECTING) {
                retryLocked(null, false, conn.uri() + " sent no connected frame within " + connectTimeout.toMillis()
                        + " ms");
            }
        } finally {
            lock.unlock();
        }
    }

    /** Null when the client is closed: nothing is waiting for this timer any more. */
    private ScheduledFuture<?> scheduleTimer(Runnable task, Duration delay) {
        try {
            return timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private static URI withToken(URI uri, String token) {
        String param = "access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        String text = uri.toString();
        int hash = text.indexOf('#');
        String base = hash < 0 ? text : text.substring(0, hash);
        return URI.create(base + (uri.getRawQuery() == null ? "?" : "&") + param);
    }

    private void openFailed(Connection conn, Throwable error) {
        lock.lock();
        try {
            if (conn != connection) {
                return;
            }
            if (error instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 401) {
                // A supplier may hand out a fresh token once; a second refusal in a row means it cannot help.
                if (renewableToken && !tokenRenewed) {
                    tokenRenewed = true;
                    dropConnection(true);
                    scheduleAttempt(Duration.ZERO, conn.uri());
                    return;
                }
                failLocked(new HeliographException(ErrorCode.UNAUTHORIZED,
                        "token refused by " + conn.uri() + " (HTTP 401)"));
                return;
            }
            retryLocked(null, false, "cannot connect to " + conn.uri() + ": " + error);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Caller holds the lock. Drops the current connection and schedules the next attempt.
     *
     * @param override where to go instead of the next URL (a redirect's target), or null
     * @param prompt   true when the server asked us to move: the first, shortest backoff window, not a growing one
     */
    private void retryLocked(URI override, boolean prompt, String why) {
        if (closed || state == ConnectionState.FAILED) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "reconnecting: {0}", why);
        // A redirected connection is still healthy and is closed politely by the caller; any other is cut.
        dropConnection(!prompt);
        if (override == null) {
            endpoints.advance();
        }
        Duration delay = backoff.delay(prompt ? 0 : failedAttempts);
        if (!prompt) {
            failedAttempts++;
        }
        setState(ConnectionState.DISCONNECTED);
        scheduleAttempt(delay, override);
    }

    /** Caller holds the lock. Like a failed attempt, but after {@code delay}: the server asked for a pause. */
    private void retryLocked(URI override, Duration delay, String why) {
        if (closed || state == ConnectionState.FAILED) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "reconnecting in {0} ms: {1}", delay.toMillis(), why);
        dropConnection(true);
        if (override == null) {
            endpoints.advance();
        }
        failedAttempts++;
        setState(ConnectionState.DISCONNECTED);
        scheduleAttempt(delay, override);
    }

    private void fail(long seq, HeliographException reason) {
        lock.lock();
        try {
            if (seq == attemptSeq) {
                failLocked(reason);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds the lock. Stops retrying; channels and presence are kept for a later {@link #connect()}. */
    private void failLocked(HeliographException reason) {
        if (closed || state == ConnectionState.FAILED) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "connection failed, not retrying: {0}", reason.getMessage());
        dropConnection(true);
        failure = reason;
        failEverything(reason);
        setState(ConnectionState.FAILED);
    }

    /** Caller holds the lock. Forgets the current connection, cutting it unless the caller closes it gracefully. */
    private void dropConnection(boolean abort) {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel(false);
            heartbeatTimer = null;
        }
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

    /** Caller holds the lock. */
    private void failEverything(HeliographException reason) {
        if (connectFuture != null) {
            failAsync(connectFuture, reason);
        }
        for (PendingRequest req : requests.takeAll()) {
            req.cancelTimers();
            // Attach replies would forget their channel; the channels' own waiters are failed below instead.
            if (req.kind != Kind.ATTACH) {
                failAsync(req.reply, reason);
            }
        }
        for (AttachedChannel ch : channels.values()) {
            ch.waiters.forEach(w -> failAsync(w, reason));
            ch.waiters.clear();
        }
    }

    /** Caller holds the lock. */
    private void setState(ConnectionState next) {
        if (state == next) {
            return;
        }
        state = next;
        listeners.state(next);
    }

    private void resumeReading() {
        Connection conn = connection;
        if (conn != null) {
            conn.resumeReading();
        }
    }

    // ---------------------------------------------------------------------------------------------- frames

    /** The callbacks of one connection; each checks it is still the current one, so stale sockets are ignored. */
    private final class Events implements Connection.Handler {

        @Override
        public void onFrame(Connection conn, String text) {
            try {
                handleFrame(conn, Json.parse(text));
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
                    case WireErrors.CLOSE_TOKEN_EXPIRED -> {
                        if (renewableToken && !tokenRenewed) {
                            tokenRenewed = true;
                            dropConnection(true);
                            setState(ConnectionState.DISCONNECTED);
                            scheduleAttempt(Duration.ZERO, conn.uri());
                        } else {
                            failLocked(new HeliographException(ErrorCode.UNAUTHORIZED,
                                    "token expired (close 4001" + reasonSuffix(reason) + ")"));
                        }
                    }
                    case WireErrors.CLOSE_POLICY_VIOLATION -> {
                        // The edge's answer to sustained rate-limit abuse means "not at once", not "never": giving
                        // up would leave every channel dead. Pacing should make this rare; count it when it is not.
                        policyCloses.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "closed by {0} for a policy violation (close 1008{1});"
                                + " reconnecting after the longest backoff", conn.uri(), reasonSuffix(reason));
                        retryLocked(null, backoff.notAtOnce(), "closed with 1008" + reasonSuffix(reason));
                    }
                    default -> retryLocked(null, false, "closed by " + conn.uri() + " with " + code
                            + reasonSuffix(reason));
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
                    retryLocked(null, false, "connection to " + conn.uri() + " failed: " + error);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static String reasonSuffix(String reason) {
        return reason == null || reason.isEmpty() ? "" : ": " + reason;
    }

    private void handleFrame(Connection conn, JsonNode frame) {
        String type = frame.path("type").asText("");
        switch (type) {
            case "connected" -> onConnected(conn, frame);
            case "message" -> onMessageFrame(conn, frame);
            case "presence" -> onPresenceFrame(conn, frame);
            case "redirect" -> onRedirect(conn, frame);
            case "error" -> {
                if (frame.hasNonNull("id")) {
                    onReply(conn, frame, true);
                } else {
                    HeliographException e = WireErrors.fromFrame(frame);
                    if (e.code() == ErrorCode.RATE_LIMITED) {
                        edgeRefusedAFrame(conn);
                    }
                    listeners.error(e);
                }
            }
            case "attached", "detached", "ack", "presence.members", "history.page", "pong" -> onReply(conn, frame, false);
            default -> LOG.log(System.Logger.Level.DEBUG, "ignoring frame of unknown type {0}", type);
        }
    }

    /**
     * A 429 without id: the edge dropped one of our frames for its rate limit, without saying which. Its request is
     * sent again when its answer does not come in time; meanwhile the pacer pauses so the edge's bucket refills.
     */
    private void edgeRefusedAFrame(Connection conn) {
        lock.lock();
        try {
            if (conn == connection) {
                rateLimitRefusals.incrementAndGet();
                if (pacer != null) {
                    pacer.refusedByEdge();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void onReply(Connection conn, JsonNode frame, boolean isError) {
        String id = frame.path("id").asText();
        HeliographException error = isError ? WireErrors.fromFrame(frame) : null;
        PendingRequest req;
        lock.lock();
        try {
            req = requests.settle(conn, id, error);
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

    private void onConnected(Connection conn, JsonNode frame) {
        CompletableFuture<Void> connected;
        lock.lock();
        try {
            if (conn != connection || closed) {
                return;
            }
            long heartbeatMs = frame.path("heartbeatMs").asLong(0);
            session = new Session(frame.path("connectionId").asText(null), frame.path("clientId").asText(null),
                    frame.path("region").asText(null), frame.path("node").asText(null), heartbeatMs);
            if (everConnected) {
                reconnects.incrementAndGet();
            }
            everConnected = true;
            failedAttempts = 0;
            tokenRenewed = false;
            pacer = new OutboundPacer(conn::send, timers, edgeRatePerSecond, edgeRateBurst, System::nanoTime,
                    framesPaced);
            setState(ConnectionState.CONNECTED);
            restore(conn);
            if (conn == connection) {
                startHeartbeat(conn, heartbeatMs);
            }
            connected = connectFuture;
        } finally {
            lock.unlock();
        }
        if (connected != null) {
            completeAsync(connected, null);
        }
    }

    /**
     * Caller holds the lock. Brings a new connection to where the application left the old one: channels first (so
     * the publishes that follow are seen by our own attachments), then presence, then the application's requests in
     * the order they were made. Everything goes through the new connection's pacer, so a client with 1,000 channels
     * restores at the pace the edge accepts instead of being refused.
     */
    private void restore(Connection conn) {
        List<PendingRequest> old = requests.takeAll();
        for (AttachedChannel ch : channels.values()) {
            ch.inFlight = null;
            sendAttach(ch);
        }
        // The application's presence requests complete with the re-enter that carries their latest data, and so do
        // the previous connection's unanswered re-enters, which complete the application's requests chained to them.
        Map<String, List<PendingRequest>> presenceFollowers = new LinkedHashMap<>();
        for (PendingRequest req : old) {
            if (req.kind == Kind.PRESENCE && req.action != PresenceAction.LEAVE
                    && presenceData.containsKey(req.channel)) {
                presenceFollowers.computeIfAbsent(req.channel, c -> new ArrayList<>()).add(req);
            }
        }
        for (String channel : presenceData.keySet()) {
            reenterPresence(conn, channel, presenceFollowers.getOrDefault(channel, List.of()), 0);
        }
        for (PendingRequest req : old) {
            switch (req.kind) {
                case ATTACH -> {
                    // Replaced above; the application's attach futures wait on the channel, not here.
                }
                case DETACH -> completeDiscarded(req);
                case PRESENCE -> {
                    if (!presenceFollowers.getOrDefault(req.channel, List.of()).contains(req)) {
                        // The new connection never entered, which is what a leave (or a superseded enter) wants.
                        completeDiscarded(req);
                    }
                }
                case PING -> {
                    // Heartbeat pings belong to the old connection.
                    if (!req.internal) {
                        requests.resend(req);
                    }
                }
                default -> requests.resend(req);
            }
        }
    }

    /**
     * Caller holds the lock and is connected on {@code conn}. Re-enters presence with the application's latest data;
     * a transient refusal or no answer tries again with backoff, for as long as the connection lasts and the
     * application has not left.
     */
    private void reenterPresence(Connection conn, String channel, List<PendingRequest> followers, int attempt) {
        JsonNode data = presenceData.get(channel);
        if (data == null) {
            // Left meanwhile: nothing to re-enter, which is what the application's later leave wanted.
            followers.forEach(HeliographClient::completeDiscarded);
            return;
        }
        ObjectNode frame = frame("presence");
        frame.put("channel", channel);
        frame.put("action", PresenceAction.ENTER.wireName());
        if (!data.isNull()) {
            frame.set("data", data);
        }
        PendingRequest req = sendInternal(Kind.PRESENCE, channel, PresenceAction.ENTER, frame);
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
        Throwable cause = unwrap(error);
        boolean current;
        lock.lock();
        try {
            // Not current: failed or passed on by a later restore, which chained this re-enter to its own.
            current = conn == connection;
            if (current && WireErrors.isTransient(cause) && state == ConnectionState.CONNECTED) {
                presenceRetries.incrementAndGet();
                scheduleTimer(() -> {
                    lock.lock();
                    try {
                        if (conn == connection && state == ConnectionState.CONNECTED) {
                            reenterPresence(conn, channel, followers, attempt + 1);
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
        if (current && isActive()) {
            listeners.error(new HeliographException(codeOf(cause),
                    "re-entering presence on " + channel + " failed: " + cause.getMessage(), cause));
        }
    }

    private static void completeDiscarded(PendingRequest req) {
        if (req.timeout != null) {
            req.timeout.cancel(false);
        }
        req.reply.complete(NullNode.getInstance());
    }

    private void onMessageFrame(Connection conn, JsonNode frame) {
        ChannelMessage message = Frames.readMessage(frame);
        lock.lock();
        try {
            if (conn != connection) {
                return;
            }
            AttachedChannel ch = channels.get(message.channel());
            if (ch == null) {
                // Detached, or in flight before the server saw our detach.
                return;
            }
            switch (ch.cursor.offer(message.serial())) {
                case DUPLICATE -> {
                    duplicatesDropped.incrementAndGet();
                    return;
                }
                case DELIVER_AFTER_GAP -> {
                    // The edge streams every channel without gaps; one here means it could not deliver what lies
                    // between (history no longer held it). The application is told before the next message.
                    gapsDetected.incrementAndGet();
                    continuityLosses.incrementAndGet();
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

    private void onPresenceFrame(Connection conn, JsonNode frame) {
        PresenceEvent event = new PresenceEvent(frame.path("channel").asText(),
                PresenceAction.parse(frame.path("action").asText(null)), Frames.readMember(frame.path("member")));
        lock.lock();
        try {
            if (conn != connection) {
                return;
            }
            listeners.presence(event);
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
                        "redirect to an invalid URL '" + url + "'; trying the next configured URL", e));
            }
        }
        lock.lock();
        try {
            if (conn != connection) {
                return;
            }
            retryLocked(target, true, "redirected (" + frame.path("reason").asText("no reason") + ")");
        } finally {
            lock.unlock();
        }
        conn.close(1000, "redirected");
    }

    // ---------------------------------------------------------------------------------------------- heartbeat

    /** Caller holds the lock. */
    private void startHeartbeat(Connection conn, long heartbeatMs) {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel(false);
            heartbeatTimer = null;
        }
        if (heartbeatMs <= 0) {
            return;
        }
        long periodMs = Math.max(10, heartbeatMs / 4);
        lastPingNs = System.nanoTime();
        heartbeatTimer = timers.scheduleAtFixedRate(() -> checkHeartbeat(conn, heartbeatMs), periodMs, periodMs,
                TimeUnit.MILLISECONDS);
    }

    private void checkHeartbeat(Connection conn, long heartbeatMs) {
        lock.lock();
        try {
            if (conn != connection || state != ConnectionState.CONNECTED) {
                return;
            }
            long idleMs = conn.idleMs();
            if (idleMs > HEARTBEAT_TOLERANCE * heartbeatMs) {
                heartbeatTimeouts.incrementAndGet();
                retryLocked(null, false, conn.uri() + " silent for " + idleMs + " ms");
                return;
            }
            long sincePingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPingNs);
            if (idleMs >= heartbeatMs && sincePingMs >= heartbeatMs) {
                // Silence may just mean nothing to say: a ping makes a live node answer.
                lastPingNs = System.nanoTime();
                sendInternal(Kind.PING, null, null, frame("ping"));
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------- completion

    /** Futures handed to the application complete off our threads, so its callbacks cannot stall the socket. */
    private <T> void completeAsync(CompletableFuture<T> future, T value) {
        runAsync(() -> future.complete(value));
    }

    private void failAsync(CompletableFuture<?> future, Throwable error) {
        runAsync(() -> future.completeExceptionally(error));
    }

    private void runAsync(Runnable task) {
        try {
            completions.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: there is no thread of ours left to protect.
            task.run();
        }
    }

    private <T> CompletableFuture<T> publicView(CompletableFuture<T> internal) {
        CompletableFuture<T> view = new CompletableFuture<>();
        internal.whenComplete((value, error) -> runAsync(() -> {
            if (error != null) {
                view.completeExceptionally(unwrap(error));
            } else {
                view.complete(value);
            }
        }));
        return view;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static ErrorCode codeOf(Throwable error) {
        return error instanceof HeliographException h ? h.code() : ErrorCode.INTERNAL;
    }

    // ---------------------------------------------------------------------------------------------- builder

    /** Configures a {@link HeliographClient}; {@link #urls(List)} and a token (or supplier) are required. */
    public static final class Builder {

        private List<URI> urls = List.of();
        private String token;
        private Supplier<String> tokenSupplier;
        private Duration backoffInitial = Duration.ofMillis(250);
        private Duration backoffMax = Duration.ofSeconds(15);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration publishDeadline = Duration.ofSeconds(60);
        private long maxFrameBytes = 1024 * 1024;
        private double edgeRatePerSecond = 100;
        private int edgeRateBurst = 200;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {
        }

        /** Edge URLs such as {@code ws://127.0.0.1:8580/v1/ws}, tried round-robin. */
        public Builder urls(List<URI> urls) {
            this.urls = List.copyOf(urls);
            return this;
        }

        public Builder url(URI url) {
            return urls(List.of(url));
        }

        /** A fixed token; ignored when a {@link #tokenSupplier(Supplier)} is set. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /**
         * Asked for a token before every connection attempt. With a supplier, a token refused at the upgrade (401) or
         * expired during a connection (close 4001) is renewed once before the client gives up with FAILED.
         */
        public Builder tokenSupplier(Supplier<String> tokenSupplier) {
            this.tokenSupplier = tokenSupplier;
            return this;
        }

        /** Reconnect delays: full jitter up to {@code initial * 2^attempt}, capped at {@code max}. */
        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = Objects.requireNonNull(initial, "initial");
            this.backoffMax = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * How long reaching one node may take (TCP connect, WebSocket upgrade, the {@code connected} frame) before
         * the client moves on to the next URL. Default 5 s.
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long a request waits for its reply once sent; 10 s by default. The application's history, presence,
         * detach and ping requests then fail (also when no connection came within it); the client's own re-attaches
         * and re-enters, and publishes, are sent again instead.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * How long a publish is kept and re-sent until acked, unless the message names its own deadline; 60 s by
         * default, below the edge's 2-minute dedup window, so a re-send can never be stored as a second message.
         */
        /**
         * The edge's hard frame limit ({@code limits.max-frame-bytes}, default 1 MiB): a request over it fails at once
         * with 413 instead of being sent, since the edge would close the connection (1009) for it.
         */
        public Builder maxFrameBytes(long maxFrameBytes) {
            if (maxFrameBytes < 1024) {
                throw new IllegalArgumentException("maxFrameBytes must be at least 1024");
            }
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        public Builder publishDeadline(Duration publishDeadline) {
            this.publishDeadline = Objects.requireNonNull(publishDeadline, "publishDeadline");
            return this;
        }

        /**
         * The edge's per-connection rate limit, 100 frames/s with a burst of 200 by default (the edge's
         * {@code limits} defaults). The client paces every frame it sends below it: 90 % of the rate, bursts of half
         * the burst, so a restore of 1,000 channels is never refused. Set it to what the deployment's edges enforce.
         */
        public Builder rateLimit(double framesPerSecond, int burst) {
            this.edgeRatePerSecond = framesPerSecond;
            this.edgeRateBurst = burst;
            return this;
        }

        /** The jitter source, uniform in [0, 1); for tests. */
        Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that is missing or invalid */
        public HeliographClient build() {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("urls: at least one edge URL is required");
            }
            for (URI url : urls) {
                String scheme = url.getScheme();
                if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
                    throw new IllegalArgumentException("urls: scheme must be ws or wss, got " + url);
                }
            }
            if (tokenSupplier == null && (token == null || token.isBlank())) {
                throw new IllegalArgumentException("token: a token or a tokenSupplier is required");
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
            }
            if (publishDeadline.isNegative() || publishDeadline.isZero()) {
                throw new IllegalArgumentException("publishDeadline must be positive, got " + publishDeadline);
            }
            if (!(edgeRatePerSecond > 0) || edgeRateBurst < 1) {
                throw new IllegalArgumentException("rateLimit: frames per second must be positive and burst at least 1,"
                        + " got " + edgeRatePerSecond + ", " + edgeRateBurst);
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
            }
            if (backoffInitial.isNegative() || backoffInitial.isZero() || backoffMax.compareTo(backoffInitial) < 0) {
                throw new IllegalArgumentException("backoff: initial must be positive and max at least initial, got "
                        + backoffInitial + ", " + backoffMax);
            }
            return new HeliographClient(this);
        }
    }
}
