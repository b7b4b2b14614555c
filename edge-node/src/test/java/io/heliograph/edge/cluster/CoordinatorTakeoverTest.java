package io.heliograph.edge.cluster;

import static io.heliograph.edge.testing.TestNodes.token;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.EdgeNode;
import io.heliograph.edge.testing.PrometheusText;
import io.heliograph.edge.testing.TestNodes;
import io.heliograph.edge.testing.WsProbe;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.region.hazelcast.HazelcastPresenceRegistry;
import io.heliograph.region.hazelcast.RegionMember;

/**
 * The region's coordinator dies while presence members of a node that had left before are still recorded (its
 * clean-up failed, or never ran). The next coordinator only hears of the coordinator leaving; it must still remove
 * what the earlier node left behind, so that watchers do not see a departed client as present forever.
 */
class CoordinatorTakeoverTest {

    private HazelcastInstance oldCoordinator;
    private final List<EdgeNode> nodes = new ArrayList<>();
    private final List<WsProbe> probes = new ArrayList<>();

    @AfterEach
    void stop() {
        probes.forEach(WsProbe::close);
        nodes.forEach(EdgeNode::close);
        if (oldCoordinator != null && oldCoordinator.getLifecycleService().isRunning()) {
            oldCoordinator.shutdown();
        }
    }

    @Test
    void aNewCoordinatorRemovesWhatNodesThatLeftUnderTheOldOneLeftBehind() throws Exception {
        int hzOld = TestNodes.freePort();
        int hzA = TestNodes.freePort();
        int hzB = TestNodes.freePort();
        List<Integer> members = List.of(hzOld, hzA, hzB);
        String cluster = "takeover-" + System.nanoTime();
        // The oldest member coordinates: a bare Hazelcast member standing in for the old coordinator's node.
        oldCoordinator = Hazelcast.newHazelcastInstance(RegionMember.config(
                TestNodes.config("us-east", "old", hzOld, members, cluster).memberSettings()));
        ExecutorService boot = Executors.newFixedThreadPool(2);
        Future<EdgeNode> fa = boot.submit(() -> EdgeNode.start(TestNodes.config("us-east", "a", hzA, members,
                cluster)));
        Future<EdgeNode> fb = boot.submit(() -> EdgeNode.start(TestNodes.config("us-east", "b", hzB, members,
                cluster)));
        nodes.add(fa.get());
        nodes.add(fb.get());
        boot.shutdown();
        EdgeNode a = nodes.get(0);
        TestNodes.await("three members", Duration.ofSeconds(60),
                () -> PrometheusText.value(a.metrics().render(), "heliograph_region_members") == 3);

        // A node that left while the old coordinator coordinated, whose clean-up did not happen.
        new HazelcastPresenceRegistry(oldCoordinator).enterOrUpdate("lobby",
                new PresenceMember("departed-client", "conn-departed", null, "us-east"), "us-east-9/0ldd0ne0");
        WsProbe watcher = WsProbe.connect(a.wsUrl(), token("watcher"));
        probes.add(watcher);
        watcher.awaitType("connected");
        assertEquals(List.of("departed-client"), memberIds(watcher, "before"));

        oldCoordinator.getLifecycleService().terminate();

        TestNodes.await("the departed node's member removed by the new coordinator", Duration.ofSeconds(20),
                () -> memberIds(watcher, "g" + System.nanoTime()).isEmpty());
        TestNodes.await("counted as reconciled", Duration.ofSeconds(10), () -> reconciled() == 1.0);
    }

    private double reconciled() {
        double sum = 0;
        for (EdgeNode node : nodes) {
            sum += PrometheusText.value(node.metrics().render(), "heliograph_departed_node_cleanups_total",
                    "outcome", "reconciled");
        }
        return sum;
    }

    private static List<String> memberIds(WsProbe probe, String id) {
        JsonNode reply = probe.request("{'type':'presence.get','id':'" + id + "','channel':'lobby'}").awaitReply(id);
        List<String> ids = new ArrayList<>();
        reply.path("members").forEach(m -> ids.add(m.path("clientId").asText()));
        return ids;
    }
}
