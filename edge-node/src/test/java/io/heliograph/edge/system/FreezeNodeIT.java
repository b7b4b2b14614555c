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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.client.HeliographClient;
import io.heliograph.client.PublishAck;
import io.heliograph.edge.testing.RetryingPublisher;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.TwoNodeRegion;
import io.heliograph.launcher.EdgeProcess;
import io.heliograph.protocol.ChannelMessage;

/**
 * One of two edge-node processes is frozen (SIGSTOP) while messages stream, long enough for its clients' heartbeats
 * and the region to give up on it, then thawed. Its clients move to the other node and lose nothing; the thawed node
 * finds itself removed, rejoins the region, and serves again.
 */
class FreezeNodeIT {

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
    void frozenNodesClientsMoveOnAndTheNodeRejoinsWhenThawed() throws Exception {
        // Short heartbeats, so clients give up on the frozen node within seconds (2.5 heartbeats).
        region = TwoNodeRegion.start("freeze", "heartbeat-ms=1000", "limits.rate-per-second=10000",
                "limits.rate-burst=10000");
        EdgeProcess n1 = region.n1();
        EdgeProcess n2 = region.n2();

        List<ChannelMessage> onFrozen = new CopyOnWriteArrayList<>();
        List<ChannelMessage> onSurvivor = new CopyOnWriteArrayList<>();
        HeliographClient subFrozen = client("sub-frozen", n1, n2);
        subFrozen.onMessage("ticks", onFrozen::add);
        subFrozen.attach("ticks").orTimeout(20, TimeUnit.SECONDS).join();
        HeliographClient subSurvivor = client("sub-survivor", n2, n1);
        subSurvivor.onMessage("ticks", onSurvivor::add);
        subSurvivor.attach("ticks").orTimeout(20, TimeUnit.SECONDS).join();
        HeliographClient publisher = client("pub", n2, n1);
        RetryingPublisher retrying = new RetryingPublisher(publisher);

        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            acks.add(retrying.publish("ticks", null, Map.of("i", i)));
        }
        TestNodes.await("first part delivered", Duration.ofSeconds(30),
                () -> onFrozen.size() == 40 && onSurvivor.size() == 40);

        // A client of n1 without heartbeats of its own: it stays connected through the freeze.
        io.heliograph.edge.testing.WsProbe patient = region.probe(n1, "patient");
        patient.request("{'type':'presence','id':'e','channel':'lobby','action':'enter','data':{'mood':'calm'}}")
                .awaitReply("e");
        // A member on n2 too, so the region's presence set for the lobby outlives n1's absence and the merge keeps
        // the region's version of it: only re-entering brings the patient client back.
        publisher.enterPresence("lobby", Map.of("role", "publisher")).orTimeout(20, TimeUnit.SECONDS).join();

        n1.freeze();
        for (int i = 40; i < 120; i++) {
            acks.add(retrying.publish("ticks", null, Map.of("i", i)));
            Thread.sleep(50); // a steady stream across the freeze (about 4 s)
        }
        Set<String> acked = new HashSet<>();
        for (CompletableFuture<PublishAck> ack : acks) {
            acked.add(ack.orTimeout(60, TimeUnit.SECONDS).join().msgId());
        }
        TestNodes.await("the frozen node's client moved and caught up", Duration.ofSeconds(60),
                () -> onFrozen.size() >= 120 && onSurvivor.size() >= 120);
        assertEquals("n2", subFrozen.node());
        for (List<ChannelMessage> got : List.of(onFrozen, onSurvivor)) {
            List<String> ids = got.stream().map(ChannelMessage::msgId).toList();
            assertEquals(120, ids.size(), "nothing twice");
            assertEquals(acked, new HashSet<>(ids), "nothing lost");
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i - 1).serial().isFollowedBy(got.get(i).serial()), "one order, no gap");
            }
        }

        n2.awaitHealthy(1, Duration.ofSeconds(30));
        n1.thaw();
        n1.awaitHealthy(2, Duration.ofSeconds(90));
        n2.awaitHealthy(2, Duration.ofSeconds(90));

        // A paused node does not blame its clients for the silence: the patient client is still served.
        Thread.sleep(3_000); // several heartbeat periods of the thawed node
        assertEquals("pong", patient.request("{'type':'ping','id':'p'}").awaitReply("p").get("type").asText());
        // The region forgot the patient client's presence while n1 was away; n1 entered it again on rejoining.
        TestNodes.await("presence re-entered after the rejoin", Duration.ofSeconds(20), () -> publisher
                .presenceMembers("lobby").orTimeout(10, TimeUnit.SECONDS).join().stream()
                .anyMatch(m -> m.clientId().equals("patient") && "{\"mood\":\"calm\"}".equals(m.dataJson())));

        // The thawed node serves again, with the region's state.
        HeliographClient late = client("late", n1, n2);
        List<ChannelMessage> lateGot = new CopyOnWriteArrayList<>();
        late.onMessage("ticks", lateGot::add);
        late.attach("ticks", io.heliograph.protocol.Serial.of(1, 115)).orTimeout(20, TimeUnit.SECONDS).join();
        publisher.publish("ticks", null, Map.of("i", 120)).orTimeout(30, TimeUnit.SECONDS).join();
        TestNodes.await("resume on the thawed node", Duration.ofSeconds(30), () -> lateGot.size() >= 6);
        assertEquals("1:116", lateGot.get(0).serial().toString());
        assertEquals("1:121", lateGot.get(5).serial().toString());
    }
}
