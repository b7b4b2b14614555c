package io.heliograph.control.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.state.RegionAssessor;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.control.table.MeshChanges;
import io.heliograph.control.testing.Configs;
import io.heliograph.control.testing.Rounds;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;

/** {@code /v1/route}: near, preference, header, default, and the errors. */
class RouterTest {

    private final ControlConfig config = Configs.threeRegions(2, 3000, true, false);
    private final MeshTable table = new MeshChanges(config).initial(new MeshTable.Leader("cp-1", 1));
    private final Rounds rounds = new Rounds(config);
    private final Router router = new Router("us-east");

    private Map<String, RegionHealth> health() {
        return new RegionAssessor(config).assess(rounds.at(0));
    }

    @Test
    void theNamedRegionWhenItServes() {
        MeshTable.Route route = router.route(table, health(), "eu-west", "ap-south");
        assertEquals("eu-west", route.region());
        assertEquals("near", route.reason());
        assertEquals(List.of("eu-west-1", "eu-west-2"), route.edges().stream().map(MeshTable.EdgeAddress::id).toList());
    }

    @Test
    void onlyTheServingEdgesOfADegradedRegion() {
        rounds.kill("eu-west-1");
        MeshTable.Route route = router.route(table, health(), "eu-west", null);
        assertEquals(List.of("eu-west-2"), route.edges().stream().map(MeshTable.EdgeAddress::id).toList());
    }

    @Test
    void theNextOfItsPreferenceWhenTheNamedRegionDoesNotServe() {
        rounds.killRegion("eu-west");
        MeshTable.Route route = router.route(table, health(), "eu-west", null);
        assertEquals("us-east", route.region());
        assertEquals("preference", route.reason());
        rounds.killRegion("us-east");
        assertEquals("ap-south", router.route(table, health(), "eu-west", null).region());
    }

    @Test
    void aDrainingOrDownRegionIsSkippedEvenWhileItsEdgesAnswer() {
        MeshTable drained = table.withState("eu-west", RegionState.DRAINING);
        assertEquals("us-east", router.route(drained, health(), "eu-west", null).region());
        MeshTable down = table.withState("eu-west", RegionState.DOWN);
        assertEquals("us-east", router.route(down, health(), "eu-west", null).region());
    }

    @Test
    void withoutNearTheHeaderThenTheDefault() {
        MeshTable.Route byHeader = router.route(table, health(), null, "ap-south");
        assertEquals("ap-south", byHeader.region());
        assertEquals("header", byHeader.reason());
        MeshTable.Route byDefault = router.route(table, health(), null, null);
        assertEquals("us-east", byDefault.region());
        assertEquals("default", byDefault.reason());
        assertEquals("default", router.route(table, health(), null, "atlantis").reason());
    }

    @Test
    void anUnknownNearIs400AndNoServingRegionIs503() {
        assertEquals(400, assertThrows(MeshChanges.Refused.class,
                () -> router.route(table, health(), "atlantis", null)).status());
        config.regionNames().forEach(rounds::killRegion);
        MeshChanges.Refused none = assertThrows(MeshChanges.Refused.class,
                () -> router.route(table, health(), "eu-west", null));
        assertEquals(503, none.status());
        assertEquals("no_healthy_region", none.code());
    }
}
