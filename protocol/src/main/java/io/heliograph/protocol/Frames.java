package io.heliograph.protocol;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Encodes and decodes the frames of Protocol v1 (docs/protocol.md). Server frames are written with a streaming
 * generator: a message frame is encoded once per message and the same text is sent to every subscriber.
 */
public final class Frames {

    private Frames() {
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String frame(String type, String id, Body body) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            if (id != null) {
                g.writeStringField("id", id);
            }
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String connected(String connectionId, String clientId, String region, String node, long heartbeatMs) {
        return frame(FrameTypes.CONNECTED, null, g -> {
            g.writeStringField("connectionId", connectionId);
            g.writeStringField("clientId", clientId);
            g.writeStringField("region", region);
            g.writeStringField("node", node);
            g.writeNumberField("heartbeatMs", heartbeatMs);
        });
    }

    public static String message(ChannelMessage m) {
        return frame(FrameTypes.MESSAGE, null, g -> writeMessageFields(g, m));
    }

    private static void writeMessageFields(JsonGenerator g, ChannelMessage m) throws IOException {
        g.writeStringField("channel", m.channel());
        g.writeStringField("serial", m.serial().toString());
        g.writeStringField("msgId", m.msgId());
        g.writeStringField("name", m.name());
        g.writeFieldName("data");
        g.writeRawValue(m.dataJson());
        g.writeStringField("clientId", m.clientId());
        g.writeStringField("region", m.region());
        g.writeNumberField("timestamp", m.timestamp());
    }

    public static String presence(String channel, PresenceAction action, PresenceMember member) {
        return frame(FrameTypes.PRESENCE, null, g -> {
            g.writeStringField("channel", channel);
            g.writeStringField("action", action.wireName());
            g.writeFieldName("member");
            writeMember(g, member);
        });
    }

    private static void writeMember(JsonGenerator g, PresenceMember member) throws IOException {
        g.writeStartObject();
        g.writeStringField("clientId", member.clientId());
        g.writeStringField("connectionId", member.connectionId());
        g.writeFieldName("data");
        if (member.dataJson() == null) {
            g.writeNull();
        } else {
            g.writeRawValue(member.dataJson());
        }
        g.writeStringField("region", member.region());
        g.writeEndObject();
    }

    public static String error(String id, int code, String message) {
        return frame(FrameTypes.ERROR, id, g -> {
            g.writeNumberField("code", code);
            g.writeStringField("message", message);
        });
    }

    public static String redirect(String reason, String url) {
        return frame(FrameTypes.REDIRECT, null, g -> {
            g.writeStringField("reason", reason);
            g.writeStringField("url", url);
        });
    }

    public static String pong(String id) {
        return frame(FrameTypes.PONG, id, g -> { });
    }

    /**
     * @param serial the channel's latest serial, or null when the channel is empty
     * @param code   410 when continuity was lost, else null (omitted)
     */
    public static String attached(String id, String channel, Serial serial, boolean resumed, Integer code) {
        return frame(FrameTypes.ATTACHED, id, g -> {
            g.writeStringField("channel", channel);
            g.writeStringField("serial", serial == null ? null : serial.toString());
            g.writeBooleanField("resumed", resumed);
            if (code != null) {
                g.writeNumberField("code", code);
            }
        });
    }

    public static String detached(String id, String channel) {
        return frame(FrameTypes.DETACHED, id, g -> g.writeStringField("channel", channel));
    }

    public static String publishAck(String id, Serial serial, String msgId, String durability) {
        return frame(FrameTypes.ACK, id, g -> {
            g.writeStringField("serial", serial.toString());
            g.writeStringField("msgId", msgId);
            g.writeStringField("durability", durability);
        });
    }

    public static String ack(String id) {
        return frame(FrameTypes.ACK, id, g -> { });
    }

    public static String presenceMembers(String id, String channel, List<PresenceMember> members) {
        return frame(FrameTypes.PRESENCE_MEMBERS, id, g -> {
            g.writeStringField("channel", channel);
            g.writeArrayFieldStart("members");
            for (PresenceMember member : members) {
                writeMember(g, member);
            }
            g.writeEndArray();
        });
    }

    public static String historyPage(String id, String channel, List<ChannelMessage> messages, boolean more) {
        return frame(FrameTypes.HISTORY_PAGE, id, g -> {
            g.writeStringField("channel", channel);
            writeMessages(g, messages);
            g.writeBooleanField("more", more);
        });
    }

    /** The HTTP API's history answer: the same shape as {@code history.page}, without type and id. */
    public static String historyBody(String channel, List<ChannelMessage> messages, boolean more) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("channel", channel);
            writeMessages(g, messages);
            g.writeBooleanField("more", more);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String membersBody(String channel, List<PresenceMember> members) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("channel", channel);
            g.writeArrayFieldStart("members");
            for (PresenceMember member : members) {
                writeMember(g, member);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeMessages(JsonGenerator g, List<ChannelMessage> messages) throws IOException {
        g.writeArrayFieldStart("messages");
        for (ChannelMessage m : messages) {
            g.writeStartObject();
            writeMessageFields(g, m);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Decodes a {@code message} frame, or one element of {@code messages} in a history page. */
    public static ChannelMessage readMessage(JsonNode node) {
        JsonNode data = node.get("data");
        return new ChannelMessage(
                text(node, "channel"),
                Serial.parse(text(node, "serial")),
                text(node, "msgId"),
                text(node, "name"),
                data == null ? "null" : data.toString(),
                text(node, "clientId"),
                text(node, "region"),
                node.path("timestamp").asLong());
    }

    public static PresenceMember readMember(JsonNode node) {
        JsonNode data = node.get("data");
        return new PresenceMember(text(node, "clientId"), text(node, "connectionId"),
                data == null || data.isNull() ? null : data.toString(), text(node, "region"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
