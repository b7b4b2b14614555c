package io.heliograph.edge.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.heliograph.edge.testing.WsProbe;

/**
 * Presence is global: a member who enters, updates and leaves in one region is announced to the other region's
 * subscribers and listed by its {@code presence.get}, carrying the region it is connected to; a member who simply
 * disconnects leaves everywhere too.
 */
class GlobalPresenceTest {

    @TempDir
    Path tls;

    private TwoRegions regions;

    @BeforeEach
    void start() {
        regions = new TwoRegions(tls, "lobby=eu-west");
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
    void aMemberOfOneRegionIsSeenEnteringUpdatingAndLeavingInTheOther() {
        try (WsProbe watcherB = connect(regions.b, "watcher"); WsProbe alice = connect(regions.a, "alice")) {
            watcherB.request("{'type':'attach','id':'s','channel':'lobby'}").awaitReply("s");
            alice.request("{'type':'presence','id':'e','channel':'lobby','action':'enter','data':{'mood':'ok'}}")
                    .awaitReply("e");
            JsonNode enter = watcherB.awaitType("presence");
            assertEquals("enter", enter.get("action").asText(), enter.toString());
            assertEquals("alice", enter.get("member").get("clientId").asText());
            assertEquals("us-east", enter.get("member").get("region").asText(), "members carry their region");
            assertEquals("ok", enter.get("member").get("data").get("mood").asText());

            JsonNode members = watcherB.request("{'type':'presence.get','id':'g','channel':'lobby'}").awaitReply("g");
            assertEquals(1, members.get("members").size(), members.toString());
            assertEquals("alice", members.get("members").get(0).get("clientId").asText());

            alice.request("{'type':'presence','id':'u','channel':'lobby','action':'update','data':{'mood':'busy'}}")
                    .awaitReply("u");
            JsonNode update = watcherB.awaitType("presence");
            assertEquals("update", update.get("action").asText());
            assertEquals("busy", update.get("member").get("data").get("mood").asText());

            alice.request("{'type':'presence','id':'l','channel':'lobby','action':'leave'}").awaitReply("l");
            assertEquals("leave", watcherB.awaitType("presence").get("action").asText());
            assertEquals(0, watcherB.request("{'type':'presence.get','id':'g2','channel':'lobby'}").awaitReply("g2")
                    .get("members").size());
        }
    }

    @Test
    void aRegionUnreachableForThePresenceTimeoutLeavesAndItsSnapshotBringsItsMembersBack() {
        try (WsProbe watcherB = connect(regions.b, "watcher"); WsProbe alice = connect(regions.a, "alice")) {
            watcherB.request("{'type':'attach','id':'s','channel':'lobby'}").awaitReply("s");
            alice.request("{'type':'presence','id':'e','channel':'lobby','action':'enter','data':1}").awaitReply("e");
            assertEquals("enter", watcherB.awaitType("presence").get("action").asText());

            // us-east's bridge goes away: eu-west hears nothing from us-east.
            regions.a.bridge.close();
            JsonNode leave = watcherB.await(f -> "presence".equals(f.path("type").asText()),
                    java.time.Duration.ofMillis(TwoRegions.PRESENCE_PEER_TIMEOUT_MS * 5));
            assertEquals("leave", leave.get("action").asText(), leave.toString());
            assertEquals("alice", leave.get("member").get("clientId").asText());
            assertEquals(0, watcherB.request("{'type':'presence.get','id':'g','channel':'lobby'}").awaitReply("g")
                    .get("members").size());

            // It links again: its snapshot brings alice back, announced once.
            regions.restartBridge(regions.a);
            JsonNode back = watcherB.await(f -> "presence".equals(f.path("type").asText()),
                    java.time.Duration.ofSeconds(20));
            assertEquals("enter", back.get("action").asText(), back.toString());
            assertEquals("alice", back.get("member").get("clientId").asText());
            assertEquals(1, watcherB.request("{'type':'presence.get','id':'g2','channel':'lobby'}").awaitReply("g2")
                    .get("members").size());
        }
    }

    @Test
    void aMemberWhoDisconnectsLeavesInEveryRegion() {
        try (WsProbe watcherB = connect(regions.b, "watcher")) {
            watcherB.request("{'type':'attach','id':'s','channel':'lobby'}").awaitReply("s");
            WsProbe bob = connect(regions.a, "bob");
            bob.request("{'type':'presence','id':'e','channel':'lobby','action':'enter'}").awaitReply("e");
            assertEquals("enter", watcherB.awaitType("presence").get("action").asText());
            bob.close();
            JsonNode leave = watcherB.awaitType("presence");
            assertEquals("leave", leave.get("action").asText(), leave.toString());
            assertEquals("bob", leave.get("member").get("clientId").asText());
            // The watcher's own region has the same view as the member's.
            try (WsProbe readerA = connect(regions.a, "reader")) {
                for (WsProbe reader : List.of(readerA, watcherB)) {
                    assertEquals(0, reader.request("{'type':'presence.get','id':'g','channel':'lobby'}")
                            .awaitReply("g").get("members").size());
                }
            }
        }
    }
}
