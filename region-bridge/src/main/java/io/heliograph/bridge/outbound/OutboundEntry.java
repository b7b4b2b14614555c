package io.heliograph.bridge.outbound;

import java.util.Arrays;
import java.util.Objects;

import com.google.protobuf.InvalidProtocolBufferException;

import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.PresenceChange;

/**
 * One thing to deliver to a peer exactly once: a message envelope (which carries its {@code previous} serial) or a
 * presence change, held as the protobuf bytes that go on the wire. The log cares about nothing but the kind and the
 * size; the bytes are parsed again only when a frame is built.
 */
public record OutboundEntry(Kind kind, byte[] payload) {

    /** What the payload is; the code is the stored form. */
    public enum Kind {
        ENVELOPE(1), PRESENCE(2);

        private final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        public byte code() {
            return code;
        }

        public static Kind ofCode(byte code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown outbound entry kind " + code);
        }
    }

    public OutboundEntry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
    }

    public static OutboundEntry envelope(MessageEnvelope envelope) {
        return new OutboundEntry(Kind.ENVELOPE, envelope.toByteArray());
    }

    public static OutboundEntry presence(PresenceChange change) {
        return new OutboundEntry(Kind.PRESENCE, change.toByteArray());
    }

    /** What the entry counts against {@link OutboundLimits#maxBytes()}: its payload. */
    public int sizeBytes() {
        return payload.length;
    }

    /** The frame that carries this entry at {@code linkSeq}. */
    public LinkFrame toLinkFrame(long linkSeq) {
        try {
            LinkFrame.Builder frame = LinkFrame.newBuilder().setLinkSeq(linkSeq);
            return switch (kind) {
                case ENVELOPE -> frame.setEnvelope(MessageEnvelope.parseFrom(payload)).build();
                case PRESENCE -> frame.setPresence(PresenceChange.parseFrom(payload)).build();
            };
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("outbound entry " + linkSeq + " does not hold a " + kind + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutboundEntry other && kind == other.kind && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "OutboundEntry[" + kind + ", " + payload.length + " bytes]";
    }
}
