package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.heliograph.region.testing.RegionTesting;

/**
 * A region's bridge replicas are lite members of its cluster. They are not nodes of the region: not in its live
 * nodes, not its coordinator even when they are the oldest member (edge nodes restarted under a running bridge), and
 * their leaving is no node's departure.
 */
class HazelcastFabricBridgeMembersTest {

    private final List<HazelcastInstance> members = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    @Test
    void anOlderBridgeReplicaIsNeitherANodeNorTheCoordinator() {
        int bridgePort = RegionTesting.freePort();
        int edgePort = RegionTesting.freePort();
        List<Integer> ports = List.of(bridgePort, edgePort);
        String cluster = "fabric-lite-" + System.nanoTime();
        HazelcastInstance bridge = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("bridge-1", bridgePort, ports, cluster)).setLiteMember(true));
        members.add(bridge);
        HazelcastInstance edge = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("edge-1", edgePort, ports, cluster)));
        members.add(edge);
        RegionTesting.await("joined", Duration.ofSeconds(30), () -> edge.getCluster().getMembers().size() == 2);

        HazelcastFabric fabric = new HazelcastFabric(edge);
        assertEquals(Set.of(fabric.localNodeId()), fabric.liveNodes());
        assertTrue(fabric.isCoordinator(), "the oldest edge node coordinates, not the older bridge");
        assertFalse(new HazelcastFabric(bridge).isCoordinator());
        assertEquals(1, fabric.describe().get("members"));
        assertEquals(1L, fabric.describe().get("bridges"));

        List<String> left = new CopyOnWriteArrayList<>();
        fabric.start(new io.heliograph.region.fabric.RegionFabric.Receiver() {
            @Override
            public void onMessage(io.heliograph.protocol.ChannelMessage message) {
            }

            @Override
            public void onPresence(io.heliograph.region.presence.PresenceRegistry.PresenceEvent event) {
            }
        }, left::add, () -> { }, () -> { });
        bridge.getLifecycleService().terminate();
        RegionTesting.await("the bridge gone", Duration.ofSeconds(30), () -> edge.getCluster().getMembers().size() == 1);
        assertTrue(left.isEmpty(), "a bridge replica leaving is no node's departure: " + left);
        fabric.close();
    }
}
