package io.heliograph.bridge;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.heliograph.bridge.v1.Ack;
import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.BridgeProto;
import io.heliograph.bridge.v1.Durability;
import io.heliograph.bridge.v1.ForwardedPublish;
import io.heliograph.bridge.v1.Hello;
import io.heliograph.bridge.v1.Interest;
import io.heliograph.bridge.v1.LinkFrame;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.bridge.v1.PresenceAction;
import io.heliograph.bridge.v1.PresenceChange;
import io.heliograph.bridge.v1.PublishError;
import io.heliograph.bridge.v1.PublishResult;
import io.heliograph.bridge.v1.Serial;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every message of the contract survives serialise-then-parse unchanged, with every field set (so a field the
 * generated code dropped would show), and every message type and every LinkFrame body has a sample here (so a type
 * added to the proto without a sample fails this test).
 */
class WireContractRoundTripTest {

    private static final Serial SERIAL = Serial.newBuilder().setEpoch(3).setSeq(42).build();
    private static final Hello HELLO = Hello.newBuilder().setOriginRegion("eu-west").setReplicaId("eu-west-bridge-2")
            .setLeaseEpoch(9).setProtocolVersion(1).setAckedLinkSeq(1_000).setOldestLinkSeq(17).setLogIncarnation(0x5eed)
            .setAckedLogIncarnation(0xfeed).setDuplex(true)
            .setMeshTableJson("{\"version\":4,\"leader\":{\"id\":\"cp-1\",\"epoch\":2},\"homes\":{},"
                    + "\"regions\":{},\"preference\":{}}").build();
    private static final MessageEnvelope ENVELOPE = MessageEnvelope.newBuilder().setChannel("room:1")
            .setSerial(SERIAL).setMsgId("m-7").setOriginRegion("us-east").setClientId("alice").setName("chat")
            .setPayload(ByteString.copyFromUtf8("{\"text\":\"héllo\"}")).setTimestampMs(1_764_000_000_123L)
            .setPrevious(Serial.newBuilder().setEpoch(3).setSeq(41)).build();
    private static final PresenceChange PRESENCE = PresenceChange.newBuilder().setChannel("room:1")
            .setConnectionId("c-9").setClientId("bob").setAction(PresenceAction.PRESENCE_ACTION_UPDATE)
            .setData(ByteString.copyFromUtf8("{\"status\":\"away\"}")).setTimestampMs(1_764_000_000_456L).build();
    private static final ForwardedPublish FORWARDED = ForwardedPublish.newBuilder().setRequestId(77)
            .setChannel("room:1").setMsgId("m-8").setClientId("carol").setName("chat")
            .setData(ByteString.copyFromUtf8("{}")).setDurability(Durability.DURABILITY_GLOBAL).setOriginRegion("eu-west")
            .setTimestampMs(1_700_000_000_000L).setHomeEpoch(2).build();
    private static final PublishError ERROR = PublishError.newBuilder().setCode(503)
            .setMessage("home region cannot commit now").build();
    private static final PublishResult COMMITTED = PublishResult.newBuilder().setRequestId(77).setSerial(SERIAL)
            .setDuplicate(true).build();
    private static final PublishResult FAILED = PublishResult.newBuilder().setRequestId(78).setError(ERROR)
            .setDuplicate(true).build();
    private static final Interest INTEREST = Interest.newBuilder().setChannel("room:1").setInterested(true).build();
    private static final io.heliograph.bridge.v1.FencedChannel FENCED = io.heliograph.bridge.v1.FencedChannel
            .newBuilder().setChannel("orders").setEpochEnd(SERIAL).build();
    private static final Ack ACK = Ack.newBuilder().setLinkSeq(1_001).addFenced(FENCED).build();
    private static final io.heliograph.bridge.v1.YieldRequest YIELD = io.heliograph.bridge.v1.YieldRequest.newBuilder()
            .setChannel("orders").setNewEpoch(4).setNewHome("eu-west").build();
    private static final io.heliograph.bridge.v1.YieldAnswer YIELDED = io.heliograph.bridge.v1.YieldAnswer.newBuilder()
            .setAccepted(true).setLatest(SERIAL).setKnownEpoch(4).build();
    private static final BackfillRequest BACKFILL_REQUEST = BackfillRequest.newBuilder().setChannel("room:1")
            .setFromSerial(SERIAL).setLimit(100).setLeaseEpoch(9).build();
    private static final BackfillPage BACKFILL_PAGE = BackfillPage.newBuilder().addMessages(ENVELOPE)
            .setHasMore(true).setContinuityLost(true).addEpochEnds(Serial.newBuilder().setEpoch(2).setSeq(40))
            .build();

    private static final List<LinkFrame> FRAMES = List.of(
            LinkFrame.newBuilder().setLinkSeq(5).setHello(HELLO).build(),
            LinkFrame.newBuilder().setLinkSeq(1_001).setEnvelope(ENVELOPE).build(),
            LinkFrame.newBuilder().setLinkSeq(1_002).setPresence(PRESENCE).build(),
            LinkFrame.newBuilder().setLinkSeq(5).setForwardedPublish(FORWARDED).build(),
            LinkFrame.newBuilder().setLinkSeq(5).setPublishResult(COMMITTED).build(),
            LinkFrame.newBuilder().setLinkSeq(5).setPublishResult(FAILED).build(),
            LinkFrame.newBuilder().setLinkSeq(5).setInterest(INTEREST).build(),
            LinkFrame.newBuilder().setLinkSeq(5).setAck(ACK).build());

    private static final List<Message> SAMPLES = List.of(SERIAL, HELLO, ENVELOPE, PRESENCE, FORWARDED, ERROR,
            COMMITTED, FAILED, INTEREST, ACK, FENCED, YIELD, YIELDED, BACKFILL_REQUEST, BACKFILL_PAGE, FRAMES.get(0), FRAMES.get(1),
            FRAMES.get(2), FRAMES.get(3), FRAMES.get(4), FRAMES.get(5), FRAMES.get(6), FRAMES.get(7));

    @Test
    void everyMessageParsesBackToItselfAfterSerialising() throws Exception {
        for (Message sample : SAMPLES) {
            Message parsed = sample.getParserForType().parseFrom(sample.toByteArray());
            assertEquals(sample, parsed, sample.getDescriptorForType().getName());
        }
    }

    @Test
    void everyMessageTypeOfTheContractHasASampleWithEveryFieldSet() {
        Set<String> declared = BridgeProto.getDescriptor().getMessageTypes().stream().map(Descriptor::getFullName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> sampled = SAMPLES.stream().map(sample -> sample.getDescriptorForType().getFullName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(declared, sampled, "a message type without a round-trip sample");

        for (Message sample : SAMPLES) {
            for (FieldDescriptor field : sample.getDescriptorForType().getFields()) {
                if (field.getRealContainingOneof() != null) {
                    continue;
                }
                boolean set = field.isRepeated() ? sample.getRepeatedFieldCount(field) > 0 : sample.hasField(field);
                assertTrue(set, sample.getDescriptorForType().getName() + "." + field.getName() + " is not set");
            }
        }
    }

    @Test
    void everyLinkFrameBodyAndPublishOutcomeIsSampled() {
        Set<LinkFrame.BodyCase> bodies = FRAMES.stream().map(LinkFrame::getBodyCase)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(LinkFrame.BodyCase.class)));
        Set<LinkFrame.BodyCase> all = EnumSet.allOf(LinkFrame.BodyCase.class);
        all.remove(LinkFrame.BodyCase.BODY_NOT_SET);
        assertEquals(all, bodies);
        assertEquals(EnumSet.of(PublishResult.OutcomeCase.SERIAL, PublishResult.OutcomeCase.ERROR),
                EnumSet.of(COMMITTED.getOutcomeCase(), FAILED.getOutcomeCase()));
    }
}
