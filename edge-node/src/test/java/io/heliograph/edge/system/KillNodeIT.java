package io.heliograph.edge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.client.HeliographClient;
import io.heliograph.client.PublishAck;
import io.heliograph.edge.testing.RetryingPublisher;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.TwoNodeRegion;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.ChannelMessage;

/**
 * Two edge-node processes; one is killed with SIGKILL while messages stream. Its clients reconnect to the survivor
 * and resume: no acked message is lost, none reaches the application twice, every subscriber sees one order; and the
 * presence members of the dead node leave within the presence timeout.
 */
class KillNodeIT {

    private TwoNodeRegion region;

    @AfterEach
    void cleanUp() {
        if (region != null) {
            region.close();
        }
    }

    private HeliographClient client(String id, EdgeProcess first, EdgeProcess second) {
        return region.client(id, first, second);
    }

    @Test
    void killedNodesClientsResumeOnTheSurvivorWithNothingLostOrDoubled() throws Exception {
        region = TwoNodeRegion.start("kill-test", "limits.rate-per-second=10000", "limits.rate-burst=10000");
        EdgeProcess n1 = region.n1();
        EdgeProcess n2 = region.n2();

        String channel = "stream";
        Map<String, List<ChannelMessage>> received = new java.util.concurrent.ConcurrentHashMap<>();
        List<HeliographClient> subscribers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean onN1 = i % 2 == 0;
            HeliographClient s = client("sub-" + i, onN1 ? n1 : n2, onN1 ? n2 : n1);
            List<ChannelMessage> got = new CopyOnWriteArrayList<>();
            received.put("sub-" + i, got);
            s.onMessage(channel, got::add);
            s.attach(channel).orTimeout(20, TimeUnit.SECONDS).join();
            subscribers.add(s);
        }

        // Presence: a raw member on n1 (it will not come back) watched from n2.
        WsProbe doomedMember = region.probe(n1, "doomed");
        WsProbe watcher = region.probe(n2, "watcher");
        watcher.request("{'type':'attach','id':'w','channel':'lobby'}").awaitReply("w");
        doomedMember.request("{'type':'presence','id':'e','channel':'lobby','action':'enter'}").awaitReply("e");
        assertEquals("enter", watcher.awaitType("presence").get("action").asText());

        RetryingPublisher pubOnN1 = new RetryingPublisher(client("pub-1", n1, n2));
        RetryingPublisher pubOnN2 = new RetryingPublisher(client("pub-2", n2, n1));
        int perPublisher = 300;
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        long killedAt = 0;
        for (int i = 0; i < perPublisher; i++) {
            acks.add(pubOnN1.publish(channel, "tick", Map.of("p", 1, "i", i)));
            acks.add(pubOnN2.publish(channel, "tick", Map.of("p", 2, "i", i)));
            if (i == perPublisher / 3) {
                // Make sure a part of the stream has been delivered before the kill.
                TestNodes.await("stream under way", Duration.ofSeconds(30),
                        () -> received.values().stream().allMatch(l -> l.size() >= 50));
                n1.kill9();
                killedAt = System.nanoTime();
            }
            if (i % 20 == 0) {
                Thread.sleep(5); // a steady stream, not one burst
            }
        }
        Set<String> ackedMsgIds = new HashSet<>();
        for (CompletableFuture<PublishAck> ack : acks) {
            ackedMsgIds.add(ack.orTimeout(60, TimeUnit.SECONDS).join().msgId());
        }
        assertEquals(2 * perPublisher, ackedMsgIds.size(), "every publish acked, once");

        TestNodes.await("every subscriber has every acked message", Duration.ofSeconds(60),
                () -> received.values().stream().allMatch(l -> l.size() >= ackedMsgIds.size()));
        List<String> reference = null;
        for (var entry : received.entrySet()) {
            List<ChannelMessage> got = entry.getValue();
            List<String> msgIds = got.stream().map(ChannelMessage::msgId).toList();
            assertEquals(msgIds.size(), new HashSet<>(msgIds).size(), entry.getKey() + ": nothing twice");
            assertTrue(new HashSet<>(msgIds).containsAll(ackedMsgIds), entry.getKey() + ": nothing acked lost");
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i - 1).serial().isFollowedBy(got.get(i).serial()),
                        entry.getKey() + ": consecutive serials at " + i + ": " + got.get(i - 1).serial() + " then "
                                + got.get(i).serial());
            }
            if (reference == null) {
                reference = msgIds;
            } else {
                assertEquals(reference, msgIds, entry.getKey() + ": the same order as the others");
            }
        }
        for (HeliographClient s : subscribers) {
            assertTrue(s.node() != null && s.node().equals("n2"), "everyone ends on the survivor");
        }

        JsonNode leave = watcher.await(f -> "presence".equals(f.path("type").asText())
                && "leave".equals(f.path("action").asText()), Duration.ofSeconds(20));
        assertEquals("doomed", leave.get("member").get("clientId").asText());
        assertTrue(System.nanoTime() - killedAt <= TimeUnit.SECONDS.toNanos(15),
                "members of a dead node leave within the presence timeout");
    }
}
