package io.heliograph.edge.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.control.route.Router;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.control.state.RegionState;
import io.heliograph.control.table.MeshTable;
import io.heliograph.protocol.Json;
import io.heliograph.region.sequencing.Home;

/**
 * The control plane and the edge keep a model of the mesh table each (control-plane's {@code control.table.MeshTable}
 * and its JSON, region-state's {@code mesh.MeshTable} read by this module's {@link MeshTableJson}); only the JSON joins
 * them. This test holds them to one meaning: every table the control plane writes (homes moved, every region state)
 * is read by the edge with the same homes, states, edges and preference, and with every edge serving, the control
 * plane's {@code /v1/route?near=} and the edge's {@code /v1/negotiate?near=} send a client of every region to the same
 * region, for the same reason, with the same edges.
 */
class MeshTableContractTest {

    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");

    private static MeshTable controlTable(Map<String, RegionState> states, Map<String, MeshTable.Home> homes) {
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        for (String region : REGIONS) {
            regions.put(region, new MeshTable.RegionEntry(states.getOrDefault(region, RegionState.HEALTHY),
                    List.of(new MeshTable.Edge(region + "-1", "ws://" + region + "-1/v1/ws", "http://" + region + "-1"),
                            new MeshTable.Edge(region + "-2", "ws://" + region + "-2/v1/ws", "http://" + region + "-2"))));
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
            boolean down = table.state(region) == RegionState.DOWN;
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
    void whatTheControlPlaneWritesTheEdgeReadsWithTheSameMeaning() {
        for (Map<String, RegionState> states : stateCases()) {
            MeshTable written = controlTable(states, Map.of("us-east", new MeshTable.Home("eu-west", 2)));
            io.heliograph.region.mesh.MeshTable read = MeshTableJson.parse(Json.parse(
                    io.heliograph.control.table.MeshTableJson.write(written)));
            assertEquals(written.version(), read.version());
            assertEquals(written.leader().id(), read.leaderId());
            assertEquals(written.leader().epoch(), read.leaderEpoch());
            for (String region : REGIONS) {
                MeshTable.Home home = written.home(region);
                assertEquals(new Home(home.region(), home.epoch()), read.homeOf(region), "home of " + region);
                assertEquals(written.state(region).wire(), read.regions().get(region).state(), states.toString());
                assertEquals(written.regions().get(region).edges().stream().map(MeshTable.Edge::ws).toList(),
                        read.regions().get(region).edges().stream().map(e -> e.ws()).toList());
                assertEquals(written.preference().get(region), read.preference().get(region));
            }
        }
    }

    @Test
    void routeAndNegotiateSendEveryRegionsClientsToTheSameRegionWithTheSameEdges() {
        Router router = new Router("us-east");
        for (Map<String, RegionState> states : stateCases()) {
            MeshTable written = controlTable(states, Map.of());
            io.heliograph.region.mesh.MeshTable read = MeshTableJson.parse(Json.parse(
                    io.heliograph.control.table.MeshTableJson.write(written)));
            for (String near : REGIONS) {
                Router.Route control = router.route(written, allServing(written), near, null);
                io.heliograph.region.mesh.MeshTable.Route edge = read.route(near, null, "near").orElseThrow();
                String what = "near=" + near + " with " + states;
                assertEquals(control.region(), edge.region(), what);
                assertEquals(control.reason(), edge.reason(), what);
                assertEquals(control.edges().stream().map(MeshTable.Edge::id).toList(),
                        edge.edges().stream().map(e -> e.id()).toList(), what);
                assertEquals(control.tableVersion(), edge.tableVersion(), what);
            }
        }
    }
}
