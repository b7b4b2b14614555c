package io.heliograph.bridge.link;

import com.google.protobuf.ByteString;
import io.heliograph.bridge.outbound.OutboundEntry;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.PresenceChange;
import io.heliograph.bridge.v1.Serial;
import io.heliograph.region.channel.AppendResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Malformed envelopes from a peer are dropped, counted and acknowledged; they do not hold up the frames after them
 * (a refused frame would be resent for ever and stall the link).
 */
class PeerLinkMalformedTest extends LinkPairTest {

    @Test
    void malformedEnvelopesAreDroppedCountedAndAcknowledgedWhileTheRestArrives() {
        LinkRegion[] regions = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = regions[0];
        LinkRegion euWest = regions[1];
        var log = usEast.outbound.get("eu-west");
        List<AppendResult> good = usEast.sequenceOnly("room:1", 2, false);
        MessageEnvelope valid = EnvelopeCodec.toEnvelope(good.get(0).message(), null);
        List<MessageEnvelope> bad = List.of(
                valid.toBuilder().setChannel("").build(),
                valid.toBuilder().setMsgId("").build(),
                valid.toBuilder().clearSerial().build(),
                valid.toBuilder().setSerial(Serial.newBuilder().setEpoch(1).setSeq(0)).build(),
                valid.toBuilder().setPrevious(Serial.newBuilder().setEpoch(1).setSeq(5)).build(),
                valid.toBuilder().setPayload(ByteString.copyFrom(new byte[]{(byte) 0xff, (byte) 0xfe})).build());

        usEast.appendForPeers(good.get(0));
        bad.forEach(envelope -> log.append(OutboundEntry.envelope(envelope)));
        log.append(OutboundEntry.presence(PresenceChange.newBuilder().setChannel("room:1").build()));
        usEast.appendForPeers(good.get(1));
        usEast.linkTo(euWest);

        await("eu-west holds both good messages", Duration.ofSeconds(20),
                () -> euWest.history("room:1").size() == 2);
        assertEquals(List.of(good.get(0).message().serial(), good.get(1).message().serial()),
                euWest.history("room:1"));
        assertEquals(bad.size(), euWest.service.counters().malformed());
        await("and acknowledges every entry, the malformed ones too", Duration.ofSeconds(20),
                () -> log.status().acknowledged() == 2 + bad.size() + 1);
        assertEquals(2, euWest.service.counters().applied());
    }
}
