package io.heliograph.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class MeshPlanTest {

    @Test
    void defaultRegionRunsTwoNodesOnConsecutivePortsInOneCluster() {
        MeshPlan plan = MeshPlan.create(List.of("us-east"), 2, 8080);

        assertEquals(2, plan.nodes().size());
        MeshPlan.NodeSpec first = plan.nodes().get(0);
        MeshPlan.NodeSpec second = plan.nodes().get(1);
        assertEquals("us-east-1", first.nodeId());
        assertEquals("us-east-2", second.nodeId());
        assertEquals(8080, first.httpPort());
        assertEquals(8081, second.httpPort());
        assertEquals(8580, first.wsPort());
        assertEquals(8581, second.wsPort());
        assertEquals(9080, first.hazelcastPort());
        assertEquals(List.of("127.0.0.1:9080", "127.0.0.1:9081"), second.members());
        assertEquals("heliograph-us-east", first.clusterName());
    }

    @Test
    void eachRegionIsItsOwnClusterWithItsOwnMembers() {
        MeshPlan plan = MeshPlan.create(List.of("us-east", "eu-west"), 2, 8080);

        MeshPlan.NodeSpec eu = plan.nodes().get(2);
        assertEquals("eu-west-1", eu.nodeId());
        assertEquals(8082, eu.httpPort());
        assertEquals("heliograph-eu-west", eu.clusterName());
        assertEquals(List.of("127.0.0.1:9082", "127.0.0.1:9083"), eu.members());
        assertEquals(12, plan.ports().stream().distinct().count());
    }

    @Test
    void refusesBadRegionsNodeCountsAndPorts() {
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("US East"), 2, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("a", "a"), 2, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of(), 2, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("a"), 0, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("a"), 2, 65000));
    }
}
