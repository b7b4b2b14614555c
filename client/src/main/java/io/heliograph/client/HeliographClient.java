package io.heliograph.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heliograph.client.PendingRequest.Kind;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.ChannelName;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Serial;

/**
 * A connection to the Heliograph mesh that survives the loss of any edge node, and of a whole region: given entry
 * addresses it negotiates its region ({@link RegionNegotiator}) and, when that region is gone, negotiates the next
 * one; given fixed WebSocket URLs it goes round them. Either way it reconnects with jittered backoff
 * ({@link ReconnectionStateMachine}), re-attaches every channel from the last serial the application received
 * ({@link ChannelResume}), re-enters presence ({@link PresenceReentry}) and re-sends unacknowledged publishes with
 * their original message id ({@link RequestTable}), so the application sees every message exactly once and in order.
 * Everything it sends is paced under the edge's rate limit ({@link OutboundPacer}), and transient refusals (429, 500,
 * 503, no answer) are retried with backoff rather than dropping a channel, a presence entry or a publish.
 *
 * <p>Every public method may be called from any thread. Futures complete, and listeners run, off the WebSocket's
 * thread; message, presence, state and continuity listeners all run on one dispatcher thread per client, in order.
 * One lock guards the state of all the parts above; none of them blocks or calls the application while holding it.
 */
public final class HeliographClient implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Duration requestTimeout;
    private final Duration publishDeadline;
    private final long maxFrameBytes;
    private final HttpClient http;
    private final HttpClient negotiationHttp;
    private final ScheduledThreadPoolExecutor timers;
    private final Completions completions;
    private final ApplicationListeners listeners;
    private final ClientCounters counters = new ClientCounters();
    private final ReentrantLock lock = new ReentrantLock();
    private final ConnectionAgent agent;
    private final RequestTable requests;
    private final ChannelResume channels;
    private final PresenceReentry presence;
    private final PreferredRegionReturn preferredRegionReturn;

    HeliographClient(HeliographClientBuilder b) {
        boolean renewableToken = b.tokenSupplier != null;
        String fixed = b.token;
        Backoff backoff = new Backoff(b.backoffInitial, b.backoffMax, b.random);
        this.requestTimeout = b.requestTimeout;
        this.publishDeadline = b.publishDeadline;
        this.maxFrameBytes = b.maxFrameBytes;
        int n = INSTANCES.incrementAndGet();
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "heliograph-client-" + n + "-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        this.completions = new Completions(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("heliograph-client-" + n + "-completion-", 0).factory()));
        this.listeners = new ApplicationListeners("heliograph-client-" + n + "-dispatch", this::resumeReading,
                counters.messagesDelivered);
        RegionExclusions exclusions = new RegionExclusions(b.regionExclusion, b.nowMs);
        ReconnectionStateMachine machine;
        RegionNegotiator negotiator = null;
        if (b.entries.isEmpty()) {
            this.negotiationHttp = null;
            machine = ReconnectionStateMachine.withUrls(b.urls, renewableToken, backoff);
        } else {
            this.negotiationHttp = HttpClient.newBuilder().connectTimeout(b.negotiateTimeout)
                    .version(HttpClient.Version.HTTP_1_1).build();
            negotiator = new RegionNegotiator(b.entries, b.preferredRegion, negotiationHttp, b.negotiateTimeout,
                    b.roundTripProbes, exclusions);
            machine = ReconnectionStateMachine.withNegotiation(renewableToken, backoff);
        }
        this.agent = new ConnectionAgent(lock, machine, negotiator, exclusions,
                renewableToken ? b.tokenSupplier : () -> fixed, http, b.connectTimeout, timers, listeners, counters,
                completions, b.edgeRatePerSecond, b.edgeRateBurst);
        this.requests = new RequestTable(lock, agent, backoff, requestTimeout, counters.publishesResent,
                counters.publishesExpired);
        this.channels = new ChannelResume(lock, agent, requests, backoff, requestTimeout, listeners, counters,
                completions);
        this.presence = new PresenceReentry(lock, agent, requests, backoff, listeners, counters);
        agent.bind(new ClientParts(requests, channels, presence, completions));
        agent.limitSilence(b.silenceTimeout.toMillis());
        this.preferredRegionReturn = new PreferredRegionReturn(agent, negotiator, timers, b.preferredRegionCheck,
                counters.regionReturns);
    }

    /** Configures a client: entry addresses (or fixed WebSocket URLs) and a token are required. */
    public static HeliographClientBuilder builder() {
        return new HeliographClientBuilder();
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /**
     * Starts connecting (with entry addresses: negotiating first). The future completes when the first
     * {@code connected} frame arrives; failed attempts are retried, so it fails only when the client reaches
     * {@link ConnectionState#FAILED} or is closed. On a client that failed, starts over (with a fresh token from the
     * supplier, if one was given).
     */
    public CompletableFuture<Void> connect() {
        return completions.publicView(agent.connect());
    }

    /**
     * Closes the connection and stops every thread of this client. Pending requests fail with
     * {@link ErrorCode#UNAVAILABLE}; listeners get the {@link ConnectionState#CLOSED} state and then nothing more.
     */
    @Override
    public void close() {
        if (agent.isClosed()) {
            return;
        }
        Connection old = agent.close();
        if (old != null) {
            old.close(io.heliograph.protocol.CloseCodes.NORMAL, "client closed");
        }
        preferredRegionReturn.close();
        timers.shutdownNow();
        listeners.shutdown();
        completions.shutdown();
        http.shutdown();
        if (negotiationHttp != null) {
            negotiationHttp.shutdown();
        }
    }

    public ConnectionState state() {
        lock.lock();
        try {
            return agent.state();
        } finally {
            lock.unlock();
        }
    }

    /** Why the client is {@link ConnectionState#FAILED}, or null when it is not. */
    public HeliographException failureReason() {
        lock.lock();
        try {
            return agent.failureReason();
        } finally {
            lock.unlock();
        }
    }

    /** From the last {@code connected} frame; null before the first one. */
    public String connectionId() {
        ConnectionAgent.Session s = agent.session();
        return s == null ? null : s.connectionId();
    }

    /** The client id the token grants, from the last {@code connected} frame. */
    public String clientId() {
        ConnectionAgent.Session s = agent.session();
        return s == null ? null : s.clientId();
    }

    /** The region of the node this client is (or was last) connected to. */
    public String region() {
        ConnectionAgent.Session s = agent.session();
        return s == null ? null : s.region();
    }

    /** The node this client is (or was last) connected to. */
    public String node() {
        ConnectionAgent.Session s = agent.session();
        return s == null ? null : s.node();
    }

    /**
     * The region this client asks for in negotiation: the one given to the builder, or (none given) the one its
     * round trips chose at the first negotiation; null before that, and for a client given fixed WebSocket URLs.
     */
    public String preferredRegion() {
        return agent.preferredRegion();
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
            if (agent.refuseWhenDone(waiter)) {
                return waiter;
            }
            channels.attach(channel, fromSerial, waiter);
        } finally {
            lock.unlock();
        }
        return completions.publicView(waiter);
    }

    /** Detaches from a channel: no more messages of it are delivered, and it is not re-attached after a reconnect. */
    public CompletableFuture<Void> detach(String channel) {
        ChannelName.require(channel);
        lock.lock();
        try {
            channels.detach(channel);
            if (agent.state() != ConnectionState.CONNECTED) {
                // Nothing to undo on a server we are not connected to; the next connection will not attach it.
                return CompletableFuture.completedFuture(null);
            }
        } finally {
            lock.unlock();
        }
        ObjectNode frame = requests.newFrame(FrameTypes.DETACH);
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
     * sends it again, always with the same {@code msgId} (which the edge deduplicates), after a reconnect (to any
     * node or region), after {@code requestTimeout} without an answer, and after a transient refusal (429, 500, 503,
     * with backoff). The ack fails only for a permanent refusal (400, 403, 413), when the message's deadline passes
     * (default {@code publishDeadline}, 60 s: shorter than the edge's 2-minute dedup window, so no re-send can be
     * stored twice), or when the client is closed or fails. An application that retries after that publishes again
     * with {@link Publication#msgId()}.
     */
    public Publication publish(OutgoingMessage message) {
        String msgId = message.msgId() != null ? message.msgId() : UUID.randomUUID().toString();
        ObjectNode frame = requests.newFrame(FrameTypes.PUBLISH);
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

    /** The ack's {@code durability}; null when absent or not one this client knows (a newer edge). */
    private static Durability durabilityOf(JsonNode reply) {
        try {
            return Durability.parse(reply.path("durability").asText(null));
        } catch (HeliographException e) {
            return null;
        }
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
        ObjectNode frame = requests.newFrame(FrameTypes.PRESENCE_GET);
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
        ObjectNode frame = requests.newFrame(FrameTypes.PRESENCE);
        frame.put("channel", channel);
        frame.put("action", action.wireName());
        if (!json.isNull()) {
            frame.set("data", json);
        }
        lock.lock();
        try {
            presence.remember(channel, action, json);
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
        ObjectNode frame = requests.newFrame(FrameTypes.HISTORY);
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
        return request(Kind.PING, null, null, requests.newFrame(FrameTypes.PING), requestTimeout,
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

    /** Negotiations started (entry addresses only): at start, and each time the client's region was gone. */
    public long negotiations() {
        return counters.negotiations.get();
    }

    /** Connections whose region differed from the previous connection's: failovers to another region. */
    public long regionChanges() {
        return counters.regionChanges.get();
    }

    /** Moves back to the preferred region once it served again (see the builder's {@code preferredRegionCheck}). */
    public long regionReturns() {
        return counters.regionReturns.get();
    }

    /** Connections established after the first one. */
    public long reconnects() {
        return counters.reconnects.get();
    }

    /** WebSocket opens attempted, successful or not. */
    public long connectionAttempts() {
        return counters.connectionAttempts.get();
    }

    /** Messages dropped because the application had already received them (resume overlap, re-sent live copies). */
    public long duplicatesDropped() {
        return counters.duplicatesDropped.get();
    }

    /** Messages handed to the listeners. */
    public long messagesDelivered() {
        return counters.messagesDelivered.get();
    }

    /** Times a message's serial skipped ahead within an epoch, i.e. messages the server never sent. */
    public long gapsDetected() {
        return counters.gapsDetected.get();
    }

    /** Attaches answered with code 410. */
    public long continuityLosses() {
        return counters.continuityLosses.get();
    }

    /**
     * Publishes sent again with their original message id: after a reconnect, after {@code requestTimeout} without
     * an answer, or after a transient refusal.
     */
    public long publishesResent() {
        return counters.publishesResent.get();
    }

    /** Publishes given up unacknowledged because their deadline passed. */
    public long publishesExpired() {
        return counters.publishesExpired.get();
    }

    /** Frames the edge refused for its rate limit (429 without a request id); pacing should keep this at 0. */
    public long rateLimitRefusals() {
        return counters.rateLimitRefusals.get();
    }

    /** Connections the edge closed with 1008 (sustained rate-limit abuse); each is retried after the longest backoff. */
    public long policyCloses() {
        return counters.policyCloses.get();
    }

    /** Frames that waited in the pacer, behind others or for a token, instead of leaving at once. */
    public long framesPaced() {
        return counters.framesPaced.get();
    }

    /** Attaches sent again after a transient refusal (429, 500, 503) or no answer within {@code requestTimeout}. */
    public long attachRetries() {
        return counters.attachRetries.get();
    }

    /** Presence re-enters sent again after a transient refusal or no answer within {@code requestTimeout}. */
    public long presenceRetries() {
        return counters.presenceRetries.get();
    }

    /** Channels no longer re-attached because the edge refused them permanently; see {@link #onChannelDropped}. */
    public long channelsDropped() {
        return counters.channelsDropped.get();
    }

    /** Connections given up because the node stayed silent for 2.5 heartbeats. */
    public long heartbeatTimeouts() {
        return counters.heartbeatTimeouts.get();
    }

    // ---------------------------------------------------------------------------------------------- requests

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
     * Registers an application request; see {@link RequestTable#submit}. Its future completes with {@code parse} of
     * the reply, off the client's threads.
     */
    private <T> CompletableFuture<T> request(Kind kind, String channel, PresenceAction action, ObjectNode frame,
                                             Duration limit, Function<JsonNode, T> parse) {
        return requests.submit(kind, channel, action, frame, limit, parse, maxFrameBytes, agent::refuseWhenDone,
                completions);
    }

    private void resumeReading() {
        agent.resumeReading();
    }
}
