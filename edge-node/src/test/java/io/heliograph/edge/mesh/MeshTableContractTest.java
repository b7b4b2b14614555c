package io.heliograph.edge.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.control.route.Router;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.MeshTableJson;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;

/**
 * The control plane and the edge share one model of the mesh table (region-state's {@link MeshTable}) and one JSON
 * codec ({@link MeshTableJson}, whose own test holds it to docs/control-plane.md), but each routes a client its own
 * way: the control plane's {@code /v1/route} by {@link Router}, on its probes and the table, the edge's
 * {@code /v1/negotiate} by {@link MeshTable#route} on the table the control plane pushed. This test holds the two to
 * one answer: with every edge serving, a client near every region is sent, for every region state, to the same region,
 * for the same reason, with the same edges, from a table that went the way a push goes (written, then read).
 */
class MeshTableContractTest {

    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");

    private static MeshTable controlTable(Map<String, RegionState> states, Map<String, Home> homes) {
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        for (String region : REGIONS) {
            regions.put(region, new MeshTable.RegionEntry(states.getOrDefault(region, RegionState.HEALTHY), List.of(
                    new MeshTable.EdgeAddress(region + "-1", "ws://" + region + "-1/v1/ws", "http://" + region + "-1"),
                    new MeshTable.EdgeAddress(region + "-2", "ws://" + region + "-2/v1/ws", "http://" + region + "-2"))));
        }
        return new MeshTable(7, new MeshTable.Leader("cp-2", 3), homes, regions, Map.of(
                "us-east", List.of("eu-west", "ap-south"),
                "eu-west", List.of("us-east", "ap-south"),
                "ap-south", List.of("eu-west", "us-east")));
    }

    /** The probes' view the control plane routes on: every edge of a region serving unless it is down. */
    private static Map<String, RegionHealth> allServing(MeshTable table) {
        Map<String, RegionHealth> health = new LinkedHashMap<>();
        for (String region : REGIONS) {
            boolean down = table.isDown(region);
            health.put(region, new RegionHealth(region, down ? RegionState.DOWN : RegionState.HEALTHY,
                    down ? List.of() : List.of(region + "-1", region + "-2"), down ? 0 : -1, List.of()));
        }
        return health;
    }

    private static List<Map<String, RegionState>> stateCases() {
        return List.of(
                Map.of(),
                Map.of("us-east", RegionState.DOWN),
                Map.of("us-east", RegionState.DRAINING),
                Map.of("us-east", RegionState.DEGRADED, "eu-west", RegionState.DOWN),
                Map.of("us-east", RegionState.DOWN, "eu-west", RegionState.DRAINING));
    }

    @Test
    void routeAndNegotiateSendEveryRegionsClientsToTheSameRegionWithTheSameEdges() {
        Router router = new Router("us-east");
        for (Map<String, RegionState> states : stateCases()) {
            MeshTable written = controlTable(states, Map.of("us-east", new Home("eu-west", 2)));
            MeshTable pushed = MeshTableJson.read(MeshTableJson.write(written));
            for (String near : REGIONS) {
                MeshTable.Route control = router.route(written, allServing(written), near, null);
                MeshTable.Route edge = pushed.route(near, null, "near").orElseThrow();
                String what = "near=" + near + " with " + states;
                assertEquals(control, edge, what);
            }
        }
    }
}
