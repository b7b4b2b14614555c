package io.heliograph.bridge.outbound;

import com.google.protobuf.ByteString;

import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.PresenceAction;
import io.heliograph.bridge.v1.PresenceChange;
import io.heliograph.bridge.v1.Serial;

/** Entries for the outbound log's tests: real envelopes, each naming its own number so that a mix-up shows. */
public final class OutboundTesting {

    private OutboundTesting() {
    }

    /** The envelope of message {@code seq} of {@code channel} in epoch 1, with its previous serial. */
    public static OutboundEntry envelope(String channel, long seq) {
        MessageEnvelope.Builder envelope = MessageEnvelope.newBuilder()
                .setChannel(channel)
                .setSerial(Serial.newBuilder().setEpoch(1).setSeq(seq))
                .setMsgId(channel + "-" + seq)
                .setOriginRegion("us-east")
                .setPayload(ByteString.copyFromUtf8("{\"n\":" + seq + "}"))
                .setTimestampMs(1_700_000_000_000L + seq);
        if (seq > 1) {
            envelope.setPrevious(Serial.newBuilder().setEpoch(1).setSeq(seq - 1));
        }
        return OutboundEntry.envelope(envelope.build());
    }

    public static OutboundEntry envelope(long seq) {
        return envelope("room:1", seq);
    }

    public static OutboundEntry presence(String connectionId) {
        return OutboundEntry.presence(PresenceChange.newBuilder().setChannel("room:1").setConnectionId(connectionId)
                .setClientId("alice").setAction(PresenceAction.PRESENCE_ACTION_ENTER).setTimestampMs(1).build());
    }

    /** An entry of exactly {@code bytes} payload bytes (not a valid envelope: the log never parses what it holds). */
    public static OutboundEntry ofSize(int bytes, int fill) {
        byte[] payload = new byte[bytes];
        java.util.Arrays.fill(payload, (byte) fill);
        return new OutboundEntry(OutboundEntry.Kind.ENVELOPE, payload);
    }
}
