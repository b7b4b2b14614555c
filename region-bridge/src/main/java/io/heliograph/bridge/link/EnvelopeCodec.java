package io.heliograph.bridge.link;

import com.google.protobuf.ByteString;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

import java.nio.charset.StandardCharsets;

/**
 * Between the wire's {@link MessageEnvelope} and region-state's {@link ChannelMessage}. Proto3 has no null strings:
 * an absent client id, event name or origin region is the empty string on the wire and null in the region.
 */
public final class EnvelopeCodec {

    private EnvelopeCodec() {
    }

    /** The envelope of {@code message}; {@code previous} null for the channel's first message. */
    public static MessageEnvelope toEnvelope(ChannelMessage message, Serial previous) {
        MessageEnvelope.Builder envelope = MessageEnvelope.newBuilder()
                .setChannel(message.channel())
                .setSerial(toWire(message.serial()))
                .setMsgId(message.msgId())
                .setOriginRegion(emptyIfNull(message.region()))
                .setClientId(emptyIfNull(message.clientId()))
                .setName(emptyIfNull(message.name()))
                .setPayload(ByteString.copyFrom(message.dataJson(), StandardCharsets.UTF_8))
                .setTimestampMs(message.timestamp());
        if (previous != null) {
            envelope.setPrevious(toWire(previous));
        }
        return envelope.build();
    }

    /** The longest channel name and msgId an envelope may carry (the edges' own limits are below). */
    static final int MAX_TEXT = 1_024;

    /**
     * What is wrong with an envelope from a peer, or null when it can be stored: a channel and msgId (not empty, at
     * most 1,024 characters), a serial (epoch and seq from 1), a previous serial (when set) below it, and a payload
     * that is UTF-8 (stored as JSON text, so a byte that is not would be silently replaced).
     */
    public static String problemWith(MessageEnvelope envelope) {
        if (envelope.getChannel().isEmpty() || envelope.getChannel().length() > MAX_TEXT) {
            return "channel missing or longer than " + MAX_TEXT;
        }
        if (envelope.getMsgId().isEmpty() || envelope.getMsgId().length() > MAX_TEXT) {
            return "msg_id missing or longer than " + MAX_TEXT;
        }
        if (!envelope.hasSerial() || envelope.getSerial().getEpoch() < 1 || envelope.getSerial().getSeq() < 1) {
            return "serial missing or not from 1:1";
        }
        if (envelope.hasPrevious()) {
            var previous = envelope.getPrevious();
            if (previous.getEpoch() < 1 || previous.getSeq() < 1
                    || fromWire(previous).compareTo(fromWire(envelope.getSerial())) >= 0) {
                return "previous " + previous.getEpoch() + ":" + previous.getSeq() + " is not before the serial";
            }
        }
        if (!envelope.getPayload().isValidUtf8()) {
            return "payload is not UTF-8";
        }
        return null;
    }

    /** The message an envelope carries, as region-state stores it. */
    public static ChannelMessage toMessage(MessageEnvelope envelope) {
        if (!envelope.hasSerial()) {
            throw new IllegalArgumentException("envelope of channel " + envelope.getChannel() + " has no serial");
        }
        return new ChannelMessage(envelope.getChannel(), fromWire(envelope.getSerial()), envelope.getMsgId(),
                nullIfEmpty(envelope.getName()), envelope.getPayload().toString(StandardCharsets.UTF_8),
                nullIfEmpty(envelope.getClientId()), nullIfEmpty(envelope.getOriginRegion()),
                envelope.getTimestampMs());
    }

    /** The envelope's {@code previous}, null when unset (the channel's first message). */
    public static Serial previousOf(MessageEnvelope envelope) {
        return envelope.hasPrevious() ? fromWire(envelope.getPrevious()) : null;
    }

    public static io.heliograph.bridge.v1.Serial toWire(Serial serial) {
        return io.heliograph.bridge.v1.Serial.newBuilder().setEpoch(serial.epoch()).setSeq(serial.seq()).build();
    }

    public static Serial fromWire(io.heliograph.bridge.v1.Serial serial) {
        return Serial.of(serial.getEpoch(), serial.getSeq());
    }

    private static String emptyIfNull(String value) {
        return value == null ? "" : value;
    }

    private static String nullIfEmpty(String value) {
        return value.isEmpty() ? null : value;
    }
}
