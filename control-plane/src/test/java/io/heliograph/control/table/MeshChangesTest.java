package io.heliograph.control.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heliograph.control.audit.AuditEvent;
import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.state.RegionAssessor;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.control.testing.Configs;
import io.heliograph.control.testing.Rounds;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;

/** The table's moves and epochs: automatic failover, failback, manual failover and restore. */
class MeshChangesTest {

    private static final MeshTable.Leader LEADER = new MeshTable.Leader("cp-1", 1);

    private Map<String, RegionHealth> downUsEast(ControlConfig config, Rounds rounds) {
        RegionAssessor assessor = new RegionAssessor(config);
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        assessor.assess(rounds.at(0));
        return assessor.assess(rounds.at(config.failover().downAfterMs()));
    }

    @Test
    void aDownRegionsHomesMoveToTheFirstServingRegionOfItsPreferenceUnderEpochPlusOne() {
        ControlConfig config = Configs.threeRegions(1, 3000, true, false);
        MeshChanges changes = new MeshChanges(config);
        MeshTable table = changes.initial(LEADER);
        Map<String, RegionHealth> health = downUsEast(config, new Rounds(config));

        MeshChanges.Change change = changes.afterProbes(table, health);

        MeshTable next = change.table();
        assertEquals(new Home("eu-west", 2), next.homeOf("us-east"));
        assertEquals(new Home("eu-west", 1), next.homeOf("eu-west"));
        assertEquals(RegionState.DOWN, next.stateOf("us-east"));
        assertEquals(List.of("us-east", "eu-west"), next.homedAt("eu-west"));
        AuditEvent failover = change.events().stream().filter(e -> e.what().equals("failover")).findFirst()
                .orElseThrow();
        assertEquals("auto", failover.who());
        assertEquals("eu-west", failover.to());
        assertEquals(Map.of("us-east", 1L), failover.epochsBefore());
        assertEquals(Map.of("us-east", 2L), failover.epochsAfter());
        assertTrue(change.events().stream().anyMatch(e -> e.what().equals("region-state")
                && e.to().equals("down")));
    }

    @Test
    void aPreferredRegionThatDoesNotServeIsSkipped() {
        ControlConfig config = Configs.threeRegions(1, 3000, true, false);
        MeshChanges changes = new MeshChanges(config);
        Rounds rounds = new Rounds(config).kill("eu-west-1");
        Map<String, RegionHealth> health = downUsEast(config, rounds);
        MeshTable next = changes.afterProbes(changes.initial(LEADER), health).table();
        assertEquals(new Home("ap-south", 2), next.homeOf("us-east"));
    }

    @Test
    void withoutAutoFailoverADownRegionIsMarkedDownAndKeepsItsHomes() {
        ControlConfig config = Configs.threeRegions(1, 3000, false, false);
        MeshChanges changes = new MeshChanges(config);
        MeshTable next = changes.afterProbes(changes.initial(LEADER), downUsEast(config, new Rounds(config)))
                .table();
        assertEquals(RegionState.DOWN, next.stateOf("us-east"));
        assertEquals(new Home("us-east", 1), next.homeOf("us-east"));
    }

    @Test
    void aRegionThatComesBackIsNotFailedBackUnlessConfigured() {
        for (boolean failback : List.of(false, true)) {
            ControlConfig config = Configs.threeRegions(1, 3000, true, failback);
            MeshChanges changes = new MeshChanges(config);
            RegionAssessor assessor = new RegionAssessor(config);
            Rounds rounds = new Rounds(config).killRegion("us-east").cut("eu-west", "us-east");
            assessor.assess(rounds.at(0));
            MeshTable moved = changes.afterProbes(changes.initial(LEADER), assessor.assess(rounds.at(3000))).table();
            rounds.reviveRegion("us-east").mend("eu-west", "us-east");
            MeshTable back = changes.afterProbes(moved, assessor.assess(rounds.at(4000))).table();
            assertEquals(RegionState.HEALTHY, back.stateOf("us-east"));
            assertEquals(failback ? new Home("us-east", 3) : new Home("eu-west", 2),
                    back.homeOf("us-east"), "failback " + failback);
        }
    }

    @Test
    void aManualFailoverMovesTheHomesAndDrainsTheRegion() {
        ControlConfig config = Configs.threeRegions(1, 3000, true, false);
        MeshChanges changes = new MeshChanges(config);
        Map<String, RegionHealth> health = new RegionAssessor(config).assess(new Rounds(config).at(0));
        MeshChanges.Change change = changes.failover(changes.initial(LEADER), "eu-west", null, health, "admin");
        assertEquals(new Home("us-east", 2), change.table().homeOf("eu-west"));
        assertEquals(RegionState.DRAINING, change.table().stateOf("eu-west"));
        assertEquals("admin", change.events().getFirst().who());

        MeshChanges.Change to = changes.failover(changes.initial(LEADER), "eu-west", "ap-south", health, "admin");
        assertEquals(new Home("ap-south", 2), to.table().homeOf("eu-west"));
    }

    @Test
    void aDrainStaysUntilRestoreAndRestoreBringsTheHomesBackUnderANewEpoch() {
        ControlConfig config = Configs.threeRegions(1, 3000, true, false);
        MeshChanges changes = new MeshChanges(config);
        Map<String, RegionHealth> health = new RegionAssessor(config).assess(new Rounds(config).at(0));
        MeshTable drained = changes.failover(changes.initial(LEADER), "eu-west", null, health, "admin").table();
        MeshTable afterProbes = changes.afterProbes(drained, health).table();
        assertEquals(RegionState.DRAINING, afterProbes.stateOf("eu-west"));

        MeshChanges.Change restore = changes.restore(afterProbes, "eu-west", "admin", "manual restore");
        assertEquals(new Home("eu-west", 3), restore.table().homeOf("eu-west"));
        assertEquals(RegionState.HEALTHY, restore.table().stateOf("eu-west"));
        assertEquals(Map.of("eu-west", 2L), restore.events().getFirst().epochsBefore());
        assertEquals(Map.of("eu-west", 3L), restore.events().getFirst().epochsAfter());
    }

    @Test
    void epochsNeverGoDownAcrossRepeatedMoves() {
        ControlConfig config = Configs.threeRegions(1, 3000, true, false);
        MeshChanges changes = new MeshChanges(config);
        Map<String, RegionHealth> health = new RegionAssessor(config).assess(new Rounds(config).at(0));
        MeshTable table = changes.initial(LEADER);
        long last = 1;
        for (int i = 0; i < 5; i++) {
            table = changes.failover(table, "us-east", null, health, "admin").table();
            table = changes.restore(table, "us-east", "admin", "restore").table();
            long epoch = table.homeOf("us-east").epoch();
            assertTrue(epoch > last, "epoch " + epoch + " after " + last);
            last = epoch;
        }
    }

    @Test
    void aRegionThatWasTheTargetTakesAnotherDownRegionsHomesWithItsOwnWhenItDiesToo() {
        ControlConfig config = Configs.threeRegions(1, 1000, true, false);
        MeshChanges changes = new MeshChanges(config);
        RegionAssessor assessor = new RegionAssessor(config);
        Rounds rounds = new Rounds(config).killRegion("us-east").cut("eu-west", "us-east");
        assessor.assess(rounds.at(0));
        MeshTable table = changes.afterProbes(changes.initial(LEADER), assessor.assess(rounds.at(1000))).table();
        rounds.killRegion("eu-west").cut("ap-south", "eu-west");
        assessor.assess(rounds.at(2000));
        table = changes.afterProbes(table, assessor.assess(rounds.at(3000))).table();
        assertEquals(new Home("ap-south", 3), table.homeOf("us-east"));
        assertEquals(new Home("ap-south", 2), table.homeOf("eu-west"));
    }

    @Test
    void unknownRegionsAndUnavailableTargetsAreRefused() {
        ControlConfig config = Configs.threeRegions(1, 3000, true, false);
        MeshChanges changes = new MeshChanges(config);
        Rounds rounds = new Rounds(config).killRegion("ap-south");
        Map<String, RegionHealth> health = new RegionAssessor(config).assess(rounds.at(0));
        MeshTable table = changes.initial(LEADER);
        assertEquals("unknown_region", assertThrows(MeshChanges.Refused.class,
                () -> changes.failover(table, "mars", null, health, "admin")).code());
        assertEquals("region_unavailable", assertThrows(MeshChanges.Refused.class,
                () -> changes.failover(table, "us-east", "ap-south", health, "admin")).code());
        assertFalse(changes.afterProbes(table, health).table().homedAt("ap-south").isEmpty());
    }

    @Test
    void aDownRegionStaysDownUntilOneOfItsEdgesServesEvenWhenThePeersStopReporting() {
        ControlConfig config = Configs.threeRegions(1, 1000, true, false);
        MeshChanges changes = new MeshChanges(config);
        RegionAssessor assessor = new RegionAssessor(config);
        Rounds rounds = new Rounds(config).killRegion("us-east").cut("eu-west", "us-east");
        assessor.assess(rounds.at(0));
        MeshTable down = changes.afterProbes(changes.initial(LEADER), assessor.assess(rounds.at(1000))).table();
        rounds.mend("eu-west", "us-east");
        MeshChanges.Change still = changes.afterProbes(down, assessor.assess(rounds.at(2000)));
        assertEquals(RegionState.DOWN, still.table().stateOf("us-east"));
        assertFalse(still.changed());
        rounds.reviveRegion("us-east");
        assertEquals(RegionState.HEALTHY,
                changes.afterProbes(down, assessor.assess(rounds.at(3000))).table().stateOf("us-east"));
    }
}
