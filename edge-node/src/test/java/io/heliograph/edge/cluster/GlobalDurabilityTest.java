package io.heliograph.edge.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.heliograph.bridge.link.EnvelopeCodec;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.hazelcast.HazelcastOutboundLog;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.protocol.Serial;
import io.heliograph.region.hazelcast.MemberSettings;
import io.heliograph.region.hazelcast.RegionCalls;
import io.heliograph.region.hazelcast.RegionMember;

/**
 * An edge node of a region with a peer (eu-west), and a lite member standing in for the region's bridge: every
 * sequenced message goes into the peer's outbound log, and a global publish (the default with a peer) is acked and
 * delivered only once the peer has acknowledged it (shared/MULTI-REGION.md, invariants 3 and 5, and the case "the
 * home fails between its sequencing and the second region's acknowledgement").
 */
class GlobalDurabilityTest {

    private EdgeNode node;
    private HazelcastInstance bridge;
    private OutboundLog toEuWest;
    private final ScheduledExecutorService peer = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() {
        int hzNode = TestNodes.freePort();
        int hzBridge = TestNodes.freePort();
        String cluster = "global-" + System.nanoTime();
        List<Integer> members = List.of(hzNode, hzBridge);
        node = EdgeNode.start(TestNodes.config("us-east", "a", hzNode, members, cluster, "peers=eu-west", "homes=orders=us-east",
                "durability.global-timeout-ms=800"));
        var settings = new MemberSettings("bridge", cluster, "127.0.0.1", hzBridge,
                members.stream().map(p -> "127.0.0.1:" + p).toList(), 15_000);
        bridge = Hazelcast.newHazelcastInstance(
                HazelcastOutboundLog.configure(RegionMember.config(settings)).setLiteMember(true));
        toEuWest = new HazelcastOutboundLog(bridge, "eu-west", OutboundLimits.DEFAULTS, System::currentTimeMillis,
                new RegionCalls(cause -> { }));
        // The stand-in bridge's takeover: eu-west, the only peer, has never held anything of these channels.
        io.heliograph.region.hazelcast.HazelcastForwarding.offerTakeoverLink(bridge, (channel, home, budgetMs) ->
                io.heliograph.region.forwarding.TakeoverAnswer.holding(null));
        TestNodes.await("bridge joined", Duration.ofSeconds(30), () -> bridge.getCluster().getMembers().size() == 2);
    }

    @AfterEach
    void stop() {
        peer.shutdownNow();
        if (node != null) {
            node.close();
        }
        if (bridge != null) {
            bridge.shutdown();
        }
    }

    private WsProbe connect(String clientId) {
        WsProbe p = WsProbe.connect(node.wsUrl(), TestNodes.token(clientId));
        p.awaitType("connected");
        return p;
    }

    @Test
    void aGlobalPublishIsAckedAndDeliveredOnlyOnceThePeerHoldsIt() throws Exception {
        try (WsProbe sub = connect("sub"); WsProbe pub = connect("pub")) {
            sub.request("{'type':'attach','id':'a','channel':'orders'}").awaitReply("a");

            // No peer acknowledges: 503, and nobody received the message (no phantom).
            JsonNode refused = pub.request("{'type':'publish','id':'p1','channel':'orders','data':{'n':1},"
                    + "'msgId':'order-1'}").awaitReply("p1");
            assertEquals("error", refused.get("type").asText(), refused.toString());
            assertEquals(503, refused.get("code").asInt());
            assertTrue(sub.collect("message", 1, Duration.ofMillis(500)).isEmpty(), "delivered before committed");
            MessageEnvelope queued = MessageEnvelope.parseFrom(
                    toEuWest.readAfter(0, 10, Long.MAX_VALUE).records().get(0).entry().payload());
            assertEquals(Serial.of(1, 1), EnvelopeCodec.fromWire(queued.getSerial()));
            assertEquals("order-1", queued.getMsgId());
            assertEquals(1, PrometheusText.value(node.metrics().render(), "heliograph_global_commit_timeouts"));
            assertEquals(1, PrometheusText.value(node.metrics().render(), "heliograph_global_commits_waiting"),
                    "watched for a late acknowledgement");

            // The peer comes back and acknowledges what reaches it; the retry keeps its serial and is delivered once.
            peer.scheduleWithFixedDelay(() -> toEuWest.acknowledge(toEuWest.status().lastAppended()), 0, 20,
                    TimeUnit.MILLISECONDS);
            JsonNode acked = pub.request("{'type':'publish','id':'p2','channel':'orders','data':{'n':1},"
                    + "'msgId':'order-1'}").awaitReply("p2");
            assertEquals("ack", acked.get("type").asText(), acked.toString());
            assertEquals("1:1", acked.get("serial").asText());
            assertEquals("global", acked.get("durability").asText());
            List<JsonNode> delivered = sub.collect("message", 2, Duration.ofSeconds(2));
            assertEquals(1, delivered.size(), delivered.toString());
            assertEquals("1:1", delivered.get(0).get("serial").asText());
            TestNodes.await("the late commit made", Duration.ofSeconds(5),
                    () -> PrometheusText.value(node.metrics().render(), "heliograph_global_commits_waiting") == 0);

            // Region durability does not wait for the peer, but the message still goes to it.
            peer.shutdownNow();
            long before = toEuWest.status().lastAppended();
            JsonNode regional = pub.request("{'type':'publish','id':'p3','channel':'orders','data':{'n':2},"
                    + "'durability':'region'}").awaitReply("p3");
            assertEquals("region", regional.get("durability").asText(), regional.toString());
            assertEquals("1:2", regional.get("serial").asText());
            assertEquals(before + 1, toEuWest.status().lastAppended());
            MessageEnvelope next = MessageEnvelope.parseFrom(
                    toEuWest.readAfter(before, 10, Long.MAX_VALUE).records().get(0).entry().payload());
            assertEquals(Serial.of(1, 1), EnvelopeCodec.previousOf(next), "sent with its predecessor");
        }
    }
}
