package io.heliograph.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.heliograph.bridge.v1.Durability;
import io.heliograph.bridge.v1.ForwardedPublish;
import io.heliograph.bridge.v1.PublishResult;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.region.forwarding.ForwardOutcome;

/** The home's door for forwarded publishes: who may forward, what is well-formed, and what reaches the edge nodes. */
class ForwardArrivalsTest {

    private final List<io.heliograph.region.forwarding.ForwardedPublish> handed = new ArrayList<>();
    private final ForwardCounters counters = new ForwardCounters();
    private final ForwardArrivals arrivals = new ForwardArrivals("us-east", Set.of("eu-west"), publish -> {
        handed.add(publish);
        return new ForwardOutcome(ForwardOutcome.Kind.SEQUENCED, 1, handed.size(), null, null);
    }, counters);

    private static ForwardedPublish.Builder valid() {
        return ForwardedPublish.newBuilder().setRequestId(7).setChannel("orders").setMsgId("m-1")
                .setData(ByteString.copyFromUtf8("{\"n\":1}")).setDurability(Durability.DURABILITY_GLOBAL)
                .setOriginRegion("eu-west").setTimestampMs(99).setHomeEpoch(1).setClientId("bob");
    }

    @Test
    void aPeersPublishReachesTheEdgeNodesAsItWasAccepted() {
        PublishResult result = arrivals.publish(valid().build(), "eu-west");
        assertEquals(7, result.getRequestId());
        assertEquals(1, result.getSerial().getSeq());
        var publish = handed.get(0);
        assertEquals("orders", publish.channel());
        assertEquals("{\"n\":1}", publish.dataJson());
        assertEquals(io.heliograph.protocol.Durability.GLOBAL, publish.durability());
        assertEquals("eu-west", publish.originRegion());
        assertEquals(99, publish.timestampMs());
        assertEquals("us-east", publish.homeRegion());
        assertEquals(null, publish.name(), "an empty name is none");
        assertEquals(1, counters.totals("eu-west", ForwardCounters.Direction.IN).ok());
    }

    @Test
    void aCallerForwardingInAnotherRegionsNameIsDenied() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> arrivals.publish(valid().setOriginRegion("ap-south").build(), "eu-west"));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        StatusRuntimeException notPeer = assertThrows(StatusRuntimeException.class,
                () -> arrivals.publish(valid().setOriginRegion("ap-south").build(), "ap-south"));
        assertEquals(Status.Code.PERMISSION_DENIED, notPeer.getStatus().getCode());
        assertTrue(handed.isEmpty());
        assertEquals(2, counters.totals("eu-west", ForwardCounters.Direction.IN).refused()
                + counters.totals("ap-south", ForwardCounters.Direction.IN).refused());
    }

    @Test
    void malformedPublishesAre400AndReachNobody() {
        List<ForwardedPublish> bad = List.of(
                valid().setChannel("").build(),
                valid().setMsgId("").build(),
                valid().setDurability(Durability.DURABILITY_UNSPECIFIED).build(),
                valid().setHomeEpoch(0).build(),
                valid().setData(ByteString.copyFrom(new byte[]{(byte) 0xc3, (byte) 0x28})).build(),
                valid().setName("n".repeat(ForwardCodec.MAX_TEXT + 1)).build());
        for (ForwardedPublish publish : bad) {
            PublishResult result = arrivals.publish(publish, "eu-west");
            assertEquals(ErrorCode.BAD_REQUEST.code(), result.getError().getCode(), publish.toString());
        }
        assertTrue(handed.isEmpty());
        assertEquals(bad.size(), counters.totals("eu-west", ForwardCounters.Direction.IN).refused());
    }

    @Test
    void outcomesRoundTripTheWire() {
        for (ForwardOutcome outcome : List.of(new ForwardOutcome(ForwardOutcome.Kind.SEQUENCED, 2, 5, null, null),
                new ForwardOutcome(ForwardOutcome.Kind.DUPLICATE, 1, 9, null, null),
                ForwardOutcome.refused(ErrorCode.UNAVAILABLE, "later"))) {
            assertEquals(outcome, ForwardCodec.fromWire(ForwardCodec.toWire(outcome, 1)));
        }
        assertEquals(ErrorCode.INTERNAL, ForwardCodec.fromWire(PublishResult.newBuilder().build()).error());
    }
}
