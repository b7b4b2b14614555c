package io.heliograph.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

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
        // 4 edge nodes and 2 bridge replicas, three ports each.
        assertEquals(18, plan.ports().stream().distinct().count());
    }

    @Test
    void oneRegionRunsNoBridgeAndNamesNoPeer() {
        MeshPlan plan = MeshPlan.create(List.of("us-east"), 2, 8080);

        assertEquals(List.of(), plan.bridges());
        assertEquals(List.of(), plan.wanLinks());
        assertTrue(plan.nodes().stream().allMatch(n -> n.peers().isEmpty()));
    }

    @Test
    void zeroBridgesLeaveSeveralRegionsOnTheirOwn() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1).bridgesPerRegion(0).build();

        assertEquals(List.of(), plan.bridges());
        assertTrue(plan.nodes().stream().allMatch(n -> n.peers().isEmpty()));
    }

    @Test
    void theDefaultLayoutLinksThreeRegionsWithOneBridgeEachOnTheBridgePortRanges() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("us-east", "eu-west", "ap-south")).nodesPerRegion(2)
                .bridgesPerRegion(1).basePort(8080).build();

        assertEquals(6, plan.nodes().size());
        assertEquals(List.of("eu-west", "ap-south"), plan.nodes().get(0).peers());
        assertEquals(List.of("us-east", "ap-south"), plan.nodesOf("eu-west").get(1).peers());

        MeshPlan.BridgeSpec usEast = plan.bridges().get(0);
        MeshPlan.BridgeSpec euWest = plan.bridges().get(1);
        MeshPlan.BridgeSpec apSouth = plan.bridges().get(2);
        assertEquals("us-east-b1", usEast.replicaId());
        assertEquals(List.of(9580, 9680, 9780), List.of(usEast.grpcPort(), usEast.httpPort(), usEast.hazelcastPort()));
        assertEquals(List.of(9581, 9681, 9781), List.of(euWest.grpcPort(), euWest.httpPort(), euWest.hazelcastPort()));
        assertEquals("https://127.0.0.1:9582", apSouth.url());
        // A replica joins its own region's edge members, as a lite member of their cluster.
        assertEquals("heliograph-eu-west", euWest.clusterName());
        assertEquals(List.of("127.0.0.1:9082", "127.0.0.1:9083"), euWest.members());
        assertEquals(Map.of("eu-west", List.of("https://127.0.0.1:9581"),
                "ap-south", List.of("https://127.0.0.1:9582")), usEast.peers());
        assertEquals(List.of("us-east", "eu-west"), List.copyOf(apSouth.peers().keySet()));
        assertEquals(6 * 3 + 3 * 3, plan.ports().stream().distinct().count());
    }

    @Test
    void twoReplicasPerRegionAreEachListedByEveryPeerInReplicaOrder() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1).bridgesPerRegion(2)
                .basePort(20000).build();

        assertEquals(List.of("a-b1", "a-b2", "b-b1", "b-b2"),
                plan.bridges().stream().map(MeshPlan.BridgeSpec::replicaId).toList());
        assertEquals(Map.of("b", List.of("https://127.0.0.1:21502", "https://127.0.0.1:21503")),
                plan.bridgesOf("a").get(1).peers());
        assertEquals(Map.of("a", List.of("https://127.0.0.1:21500", "https://127.0.0.1:21501")),
                plan.bridgesOf("b").get(0).peers());
    }

    @Test
    void withWanProxiesEveryReplicaIsDialledThroughOneProxyPerDiallingRegion() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b", "c")).nodesPerRegion(1).bridgesPerRegion(2)
                .basePort(20000).wanProxies(40).build();

        // 6 replicas, each dialled by 2 other regions.
        assertEquals(12, plan.wanLinks().size());
        assertEquals(40, plan.wanDelayMs());
        MeshPlan.WanLinkSpec first = plan.wanLinks().get(0);
        assertEquals(List.of("a", "b", "b-b1", 21800, 21502),
                List.of(first.fromRegion(), first.toRegion(), first.toReplicaId(), first.port(), first.targetPort()));
        List<String> aDials = plan.bridgesOf("a").get(0).peers().get("b");
        assertEquals(List.of("https://127.0.0.1:21800", "https://127.0.0.1:21801"), aDials);
        // The replicas of c reach b-b1 through a proxy of their own.
        MeshPlan.WanLinkSpec cToB1 = plan.wanLinks().stream()
                .filter(l -> l.fromRegion().equals("c") && l.toReplicaId().equals("b-b1")).findFirst().orElseThrow();
        assertEquals(21502, cToB1.targetPort());
        assertEquals(cToB1.url(), plan.bridgesOf("c").get(1).peers().get("b").get(0));
        assertEquals(3 * 3 + 6 * 3 + 12, plan.ports().stream().distinct().count());
        assertTrue(plan.wanLinks().stream().allMatch(l -> l.port() >= 21800 && l.port() < 22000));
    }

    @Test
    void refusesBadRegionsNodeCountsAndPorts() {
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("US East"), 2, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("a", "a"), 2, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of(), 2, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("a"), 0, 8080));
        assertThrows(IllegalArgumentException.class, () -> MeshPlan.create(List.of("a"), 2, 65000));
    }

    @Test
    void refusesBadBridgeCountsDelaysAndPortRangesNamingTheFlag() {
        assertRefused("--bridges: 5 is outside 0..4",
                MeshPlan.builder().regions(List.of("a", "b")).bridgesPerRegion(5));
        assertRefused("--bridges: -1", MeshPlan.builder().regions(List.of("a", "b")).bridgesPerRegion(-1));
        assertRefused("--wan-delay-ms: WAN links need two or more regions",
                MeshPlan.builder().regions(List.of("a")).wanProxies(10));
        assertRefused("--wan-delay-ms: WAN links need two or more regions",
                MeshPlan.builder().regions(List.of("a", "b")).bridgesPerRegion(0).wanProxies(10));
        assertRefused("--wan-delay-ms: 10001 is outside", MeshPlan.builder().regions(List.of("a", "b"))
                .wanProxies(10_001));
        // The bridge ranges reach P+1700.., the proxies' P+1800..: a base port that fits edge nodes alone may not.
        MeshPlan.create(List.of("a"), 1, 64000);
        assertRefused("--base-port: 64000", MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1)
                .basePort(64000));
        MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1).basePort(63800).build();
        assertRefused("needs ports 63800..65601", MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1)
                .basePort(63800).wanProxies(0));
    }

    private static void assertRefused(String expected, MeshPlan.Builder plan) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, plan::build);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void controlPlanesGetTheirOwnPortsAndClusterAfterEveryOtherRange() {
        MeshPlan plan = MeshPlan.builder().regions(List.of("a", "b")).nodesPerRegion(1).controlPlanes(3)
                .basePort(8080).build();

        assertEquals(3, plan.controlPlanes().size());
        MeshPlan.ControlPlaneSpec second = plan.controlPlanes().get(1);
        assertEquals("cp-2", second.replicaId());
        assertEquals(10081, second.httpPort());
        assertEquals(10131, second.hazelcastPort());
        assertEquals("http://127.0.0.1:10081", second.url());
        assertEquals(List.of("127.0.0.1:10130", "127.0.0.1:10131", "127.0.0.1:10132"), second.members());
        assertEquals(plan.ports().size(), plan.ports().stream().distinct().count());
        assertEquals(List.of(), MeshPlan.create(List.of("a"), 1, 8080).controlPlanes(), "none unless asked for");
        assertThrows(IllegalArgumentException.class,
                () -> MeshPlan.builder().regions(List.of("a")).controlPlanes(51).build());
    }
}
