package io.heliograph.client;

import java.time.Duration;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import io.heliograph.protocol.ChannelName;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Json;

/**
 * A message to publish, with the options a plain {@code publish(channel, name, data)} leaves at their defaults: its
 * message id (the idempotency key), how long the client may keep re-sending it, and how durable it must be when acked.
 *
 * @param name     optional event name, may be null
 * @param msgId    1 to 64 characters; null to let the client generate one (shown on the {@link Publication})
 * @param deadline how long the client keeps the publish and re-sends it until acked; null for the client's
 *                 {@code publishDeadline}
 * @param durability region (stored with its backup in the home region) or global (held by another region too); null
 *                   for the deployment's default. The ack says which one the message got.
 */
public record OutgoingMessage(String channel, String name, JsonNode data, String msgId, Duration deadline,
                              Durability durability) {

    /** The protocol's bound on a message id. */
    public static final int MAX_MSG_ID_LENGTH = io.heliograph.protocol.WireLimits.MAX_MSG_ID_CHARS;

    /** @throws HeliographException 400 for an invalid channel name or message id */
    public OutgoingMessage {
        ChannelName.require(channel);
        data = data == null ? NullNode.getInstance() : data;
        if (msgId != null && (msgId.isEmpty() || msgId.length() > MAX_MSG_ID_LENGTH)) {
            throw HeliographException.badRequest("msgId must be 1 to " + MAX_MSG_ID_LENGTH + " characters, got "
                    + msgId.length());
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
    }

    /** A message with {@code data} (any value Jackson can encode, or a {@link JsonNode}) and no name. */
    public static OutgoingMessage of(String channel, Object data) {
        return new OutgoingMessage(channel, null, toJson(data), null, null, null);
    }

    public OutgoingMessage withName(String name) {
        return new OutgoingMessage(channel, name, data, msgId, deadline, durability);
    }

    /** Publishes with this id, e.g. the id of an earlier {@link Publication} the application retries. */
    public OutgoingMessage withMsgId(String msgId) {
        return new OutgoingMessage(channel, name, data, Objects.requireNonNull(msgId, "msgId"), deadline, durability);
    }

    public OutgoingMessage withDeadline(Duration deadline) {
        return new OutgoingMessage(channel, name, data, msgId, Objects.requireNonNull(deadline, "deadline"),
                durability);
    }

    public OutgoingMessage withDurability(Durability durability) {
        return new OutgoingMessage(channel, name, data, msgId, deadline, Objects.requireNonNull(durability,
                "durability"));
    }

    static JsonNode toJson(Object data) {
        if (data == null) {
            return NullNode.getInstance();
        }
        if (data instanceof JsonNode node) {
            return node;
        }
        return Json.MAPPER.valueToTree(data);
    }
}
