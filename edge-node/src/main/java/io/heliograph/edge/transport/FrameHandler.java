package io.heliograph.edge.transport;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.edge.api.EdgeOperations;
import io.heliograph.edge.config.EdgeConfig;
import io.heliograph.edge.delivery.DeliveryHub;
import io.heliograph.edge.observe.EdgeMetrics.DisconnectReason;
import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.FrameTypes;
import io.heliograph.protocol.Frames;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.Serial;
import io.heliograph.protocol.auth.Operation;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.protocol.Durability;
import io.heliograph.region.channel.HistoryPage;

/**
 * Turns one client text frame into an operation and its reply. Every failure becomes an error frame carrying the
 * request's id, and harms nobody else: the connection stays open unless the error table says otherwise.
 */
public final class FrameHandler {

    /** Room for the envelope (type, id, channel, name, msgId) around a message's data. */
    static final int FRAME_OVERHEAD_ALLOWANCE = 16 * 1024;

    private final EdgeOperations operations;
    private final DeliveryHub hub;
    private final EdgeMetrics metrics;
    private final EdgeConfig.Limits limits;

    public FrameHandler(EdgeOperations operations, DeliveryHub hub, EdgeMetrics metrics, EdgeConfig.Limits limits) {
        this.operations = operations;
        this.hub = hub;
        this.metrics = metrics;
        this.limits = limits;
    }

    /**
     * Handles one whole client message.
     *
     * @param wireBytes its size on the wire (UTF-8 bytes of all its fragments)
     * @param fragments the frames it arrived in; many cost more of the rate limit ({@link FragmentBuffer#tokens})
     */
    void handle(Connection connection, String text, long wireBytes, int fragments) {
        metrics.frameIn();
        switch (connection.rateLimiter().acquire(FragmentBuffer.tokens(fragments))) {
            case ALLOW -> { }
            case REFUSE -> {
                reply(connection, null, new HeliographException(ErrorCode.RATE_LIMITED,
                        "rate limit exceeded: " + limits.ratePerSecond() + " frames/s, burst " + limits.rateBurst()));
                return;
            }
            case ABUSE -> {
                metrics.error(ErrorCode.RATE_LIMITED.code());
                connection.close(CloseCodes.POLICY_VIOLATION, "rate limit exceeded repeatedly", DisconnectReason.ABUSE,
                        Frames.error(null, ErrorCode.RATE_LIMITED.code(), "rate limit exceeded repeatedly; closing"));
                return;
            }
        }
        String id = null;
        try {
            // Frames far beyond the message limit are refused before parsing; the reply cannot carry their id.
            if (wireBytes > (long) limits.maxMessageBytes() + FRAME_OVERHEAD_ALLOWANCE) {
                throw new HeliographException(ErrorCode.TOO_LARGE,
                        "frame is larger than the limit of " + limits.maxMessageBytes() + " bytes");
            }
            // data is passed on exactly as the client wrote it (no number rounded, no string re-escaped).
            Json.Parsed parsed = Json.parseKeepingRaw(text, "data");
            JsonNode frame = parsed.node();
            if (!frame.isObject()) {
                throw HeliographException.badRequest("a frame must be a JSON object");
            }
            JsonNode idNode = frame.get("id");
            if (idNode != null && !idNode.isNull()) {
                if (!idNode.isTextual() || idNode.asText().length() > 128) {
                    throw HeliographException.badRequest("id must be a string of at most 128 characters");
                }
                id = idNode.asText();
            }
            String type = optionalText(frame, "type");
            if (type == null) {
                throw HeliographException.badRequest("type is required");
            }
            if (FrameTypes.PING.equals(type)) {
                // Answered at once, even while earlier requests wait on the region: a ping proves the link.
                connection.offer(Frames.pong(id));
                return;
            }
            if (!KNOWN_TYPES.contains(type)) {
                throw HeliographException.badRequest("unknown type '" + truncate(type) + "'");
            }
            String requestId = id;
            String rawData = parsed.rawMember();
            switch (connection.submit(() -> execute(connection, requestId, type, frame, rawData), wireBytes)) {
                case ACCEPTED -> { }
                case TOO_MANY_REQUESTS -> {
                    metrics.requestQueueFull("requests");
                    throw new HeliographException(ErrorCode.RATE_LIMITED, "too many requests in flight: at most "
                            + Connection.MAX_REQUESTS_IN_FLIGHT + " per connection");
                }
                case TOO_MANY_BYTES -> {
                    metrics.requestQueueFull("bytes");
                    throw new HeliographException(ErrorCode.RATE_LIMITED, "too many request bytes in flight: at most "
                            + Connection.MAX_REQUEST_BYTES_QUEUED + " bytes of waiting requests per connection");
                }
            }
        } catch (HeliographException e) {
            reply(connection, id, e);
        } catch (RuntimeException e) {
            System.getLogger(FrameHandler.class.getName()).log(System.Logger.Level.ERROR,
                    "unexpected failure handling a frame on " + connection.connectionId(), e);
            reply(connection, id, new HeliographException(ErrorCode.INTERNAL, "internal error"));
        }
    }

    private static final java.util.Set<String> KNOWN_TYPES =
            java.util.Set.of(FrameTypes.ATTACH, FrameTypes.DETACH, FrameTypes.PUBLISH, FrameTypes.PRESENCE,
                    FrameTypes.PRESENCE_GET, FrameTypes.HISTORY);

    /**
     * Runs one request on the connection's request worker: requests of a connection run one at a time, in the order
     * they arrived, while Helidon's reader goes on reading (pongs, pings) for the connection.
     */
    private void execute(Connection connection, String id, String type, JsonNode frame, String rawData) {
        if (connection.state() != Connection.State.OPEN) {
            return;
        }
        try {
            String answer = switch (type) {
                case FrameTypes.ATTACH -> attach(connection, id, frame);
                case FrameTypes.DETACH -> detach(connection, id, frame);
                case FrameTypes.PUBLISH -> publish(connection, id, frame, rawData);
                case FrameTypes.PRESENCE -> presence(connection, id, frame, rawData);
                case FrameTypes.PRESENCE_GET -> Frames.presenceMembers(id, channel(frame),
                        operations.members(connection.claims(), channel(frame)));
                case FrameTypes.HISTORY -> history(connection, id, frame);
                default -> throw HeliographException.badRequest("unknown type '" + truncate(type) + "'");
            };
            if (answer != null) {
                connection.offer(answer);
            }
        } catch (HeliographException e) {
            reply(connection, id, e);
        } catch (RuntimeException e) {
            System.getLogger(FrameHandler.class.getName()).log(System.Logger.Level.ERROR,
                    "unexpected failure handling a frame on " + connection.connectionId(), e);
            reply(connection, id, new HeliographException(ErrorCode.INTERNAL, "internal error"));
        }
    }

    private void reply(Connection connection, String id, HeliographException e) {
        metrics.error(e.code().code());
        connection.offer(Frames.error(id, e.code().code(), e.getMessage()));
    }

    private String attach(Connection connection, String id, JsonNode frame) {
        String channel = EdgeOperations.validChannel(channel(frame));
        EdgeOperations.require(connection.claims(), channel, Operation.SUBSCRIBE);
        Serial fromSerial = EdgeOperations.validSerial("fromSerial", optionalText(frame, "fromSerial"));
        boolean already = connection.channels().contains(channel);
        if (!already && connection.channels().size() >= limits.maxChannelsPerConnection()) {
            throw new HeliographException(ErrorCode.RATE_LIMITED, "channel limit reached: at most "
                    + limits.maxChannelsPerConnection() + " channels per connection");
        }
        connection.channels().add(channel);
        try {
            boolean presence = connection.claims().capabilities().allows(channel, Operation.PRESENCE);
            hub.subscribe(channel, connection, fromSerial, presence, result -> {
                boolean resumed = fromSerial != null && !result.continuityLost();
                return Frames.attached(id, channel, result.latest(), resumed,
                        result.continuityLost() ? ErrorCode.CONTINUITY_LOST.code() : null);
            });
            if (connection.state() == Connection.State.CLOSED) {
                // Closed while attaching, after its clean-up ran: nobody else will undo this attach.
                hub.unsubscribe(channel, connection.connectionId());
            }
        } catch (RuntimeException e) {
            if (!already) {
                connection.channels().remove(channel);
                hub.unsubscribe(channel, connection.connectionId());
            }
            throw e;
        }
        return null;
    }

    private String detach(Connection connection, String id, JsonNode frame) {
        String channel = EdgeOperations.validChannel(channel(frame));
        if (connection.channels().remove(channel)) {
            hub.unsubscribe(channel, connection.connectionId());
        }
        if (connection.presenceChannels().remove(channel)) {
            operations.leave(channel, connection.connectionId());
        }
        return Frames.detached(id, channel);
    }

    private String publish(Connection connection, String id, JsonNode frame, String rawData) {
        String channel = channel(frame);
        if (rawData == null) {
            throw HeliographException.badRequest("data is required");
        }
        String name = optionalText(frame, "name");
        String msgId = optionalText(frame, "msgId");
        Durability durability = Durability.parse(optionalText(frame, "durability"));
        EdgeOperations.Published published = operations.publish(connection.claims(), channel, name, rawData, msgId,
                durability);
        AppendResult result = published.result();
        return Frames.publishAck(id, result.message().serial(), result.message().msgId(),
                published.durability().wireName());
    }

    private String presence(Connection connection, String id, JsonNode frame, String rawData) {
        String channel = EdgeOperations.validChannel(channel(frame));
        PresenceAction action = PresenceAction.parse(optionalText(frame, "action"));
        JsonNode data = frame.get("data");
        String dataJson = data == null || data.isNull() ? null : rawData;
        if (action == PresenceAction.LEAVE) {
            connection.presenceChannels().remove(channel);
            operations.leave(channel, connection.connectionId());
        } else {
            if (!connection.presenceChannels().contains(channel)
                    && connection.presenceChannels().size() >= limits.maxChannelsPerConnection()) {
                throw new HeliographException(ErrorCode.RATE_LIMITED, "presence limit reached: at most "
                        + limits.maxChannelsPerConnection() + " channels per connection");
            }
            operations.enterOrUpdate(connection.claims(), channel, connection.connectionId(), dataJson);
            connection.entered(channel, dataJson);
            if (connection.state() == Connection.State.CLOSED) {
                operations.leave(channel, connection.connectionId()); // closed while entering: leave at once
            }
        }
        return Frames.ack(id);
    }

    private String history(Connection connection, String id, JsonNode frame) {
        String channel = EdgeOperations.validChannel(channel(frame));
        Serial fromSerial = EdgeOperations.validSerial("fromSerial", optionalText(frame, "fromSerial"));
        JsonNode limitNode = frame.get("limit");
        Integer limit = null;
        if (limitNode != null && !limitNode.isNull()) {
            if (!limitNode.canConvertToInt() || !limitNode.isIntegralNumber()) {
                throw HeliographException.badRequest("limit must be an integer");
            }
            limit = limitNode.asInt();
        }
        HistoryPage page = operations.history(connection.claims(), channel, fromSerial,
                EdgeOperations.validLimit(limit));
        return Frames.historyPage(id, channel, page.messages(), page.more());
    }

    private static String channel(JsonNode frame) {
        String channel = optionalText(frame, "channel");
        if (channel == null) {
            throw HeliographException.badRequest("channel is required");
        }
        return channel;
    }

    private static String optionalText(JsonNode frame, String field) {
        JsonNode node = frame.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw HeliographException.badRequest(field + " must be a string");
        }
        return node.asText();
    }

    private static String truncate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
