package io.heliograph.edge.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;

/**
 * One order per channel across regions (shared/MULTI-REGION.md invariants 1, 3 and 4): a publish accepted in a region
 * that is not the channel's home is sequenced at the home, acked with the home's serial once another region holds it,
 * and reaches every subscriber in both regions once, in the same order as the home's own publishes; a retry with the
 * same msgId through the other region answers the first serial and delivers nothing again.
 */
class ForwardingAcrossRegionsTest {

    @TempDir
    Path tls;

    private TwoRegions regions;

    @BeforeEach
    void start() {
        // orders lives in us-east, chat:* in eu-west, whatever rendezvous hashing would say.
        regions = new TwoRegions(tls, "orders=us-east,chat:*=eu-west");
    }

    @AfterEach
    void stop() {
        if (regions != null) {
            regions.close();
        }
    }

    private static WsProbe connect(TwoRegions.Region region, String clientId) {
        return TwoRegions.connect(region, clientId);
    }

    @Test
    void publishesFromBothRegionsGetTheHomesSerialsAndOneOrderEverywhere() {
        try (WsProbe subA = connect(regions.a, "sub-a"); WsProbe subB = connect(regions.b, "sub-b");
             WsProbe pubA = connect(regions.a, "pub-a"); WsProbe pubB = connect(regions.b, "pub-b")) {
            subA.request("{'type':'attach','id':'s','channel':'orders'}").awaitReply("s");
            subB.request("{'type':'attach','id':'s','channel':'orders'}").awaitReply("s");

            // From eu-west, not the home: forwarded, sequenced in us-east, global by default.
            JsonNode first = pubB.request("{'type':'publish','id':'p1','channel':'orders','data':{'n':1},"
                    + "'msgId':'order-1'}").awaitReply("p1");
            assertEquals("ack", first.get("type").asText(), first.toString());
            assertEquals("1:1", first.path("serial").asText());
            assertEquals("global", first.get("durability").asText());
            // From the home itself, then from eu-west again: one sequence.
            JsonNode second = pubA.request("{'type':'publish','id':'p2','channel':'orders','data':{'n':2}}")
                    .awaitReply("p2");
            assertEquals("1:2", second.get("serial").asText(), second.toString());
            JsonNode third = pubB.request("{'type':'publish','id':'p3','channel':'orders','data':{'n':3},"
                    + "'durability':'region'}").awaitReply("p3");
            assertEquals("1:3", third.get("serial").asText(), third.toString());
            assertEquals("region", third.get("durability").asText());

            // The retry of the first through eu-west: its first serial, nothing delivered again.
            JsonNode retry = pubB.request("{'type':'publish','id':'p4','channel':'orders','data':{'n':1},"
                    + "'msgId':'order-1'}").awaitReply("p4");
            assertEquals("1:1", retry.get("serial").asText(), retry.toString());

            for (WsProbe sub : List.of(subA, subB)) {
                List<JsonNode> delivered = sub.collect("message", 4, Duration.ofSeconds(3));
                assertEquals(List.of("1:1", "1:2", "1:3"), delivered.stream().map(m -> m.get("serial").asText())
                        .toList(), "each once, in the home's order: " + delivered);
                assertEquals(List.of("eu-west", "us-east", "eu-west"), delivered.stream()
                        .map(m -> m.path("region").asText()).toList(), "each message names where it was published");
            }
            assertEquals(3, regions.a.edge.metrics().forwardedCount("in", "ok"), "three forwarded to the home");
            assertEquals(3, regions.b.edge.metrics().forwardedCount("out", "ok"));
        }
    }

    @Test
    void aChannelHomedInTheOtherRegionIsSequencedThere() {
        try (WsProbe subA = connect(regions.a, "sub-a"); WsProbe pubA = connect(regions.a, "pub-a")) {
            subA.request("{'type':'attach','id':'s','channel':'chat:lobby'}").awaitReply("s");
            for (int i = 1; i <= 20; i++) {
                JsonNode ack = pubA.request("{'type':'publish','id':'p" + i + "','channel':'chat:lobby','data':{'n':"
                        + i + "}}").awaitReply("p" + i);
                assertEquals("1:" + i, ack.path("serial").asText(), ack.toString());
            }
            List<JsonNode> delivered = subA.collect("message", 20, Duration.ofSeconds(10));
            assertEquals(20, delivered.size(), delivered.toString());
            for (int i = 0; i < 20; i++) {
                assertEquals("1:" + (i + 1), delivered.get(i).get("serial").asText());
            }
            TestNodes.await("eu-west's bridge counted them", TwoRegions.WAIT,
                    () -> regions.b.edge.metrics().forwardedCount("in", "ok") == 20);
        }
    }

    @Test
    void withTheHomesBridgeGoneAForwardedPublishIs503AndItsRetryKeepsOneSerial() {
        try (WsProbe pubB = connect(regions.b, "pub-b")) {
            regions.a.bridge.close();
            JsonNode refused = pubB.request("{'type':'publish','id':'p1','channel':'orders','data':{'n':1},"
                    + "'msgId':'o-1'}").awaitReply("p1");
            assertEquals("error", refused.get("type").asText(), refused.toString());
            assertEquals(503, refused.get("code").asInt(), refused.toString());
            assertTrue(regions.b.edge.metrics().forwardedCount("out", "unavailable") >= 1);
        }
    }
}
