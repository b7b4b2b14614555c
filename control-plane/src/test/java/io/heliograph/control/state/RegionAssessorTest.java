package io.heliograph.control.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.testing.Configs;
import io.heliograph.control.testing.Rounds;
import io.heliograph.region.mesh.RegionState;

/** Region states from probe rounds with an injected clock (each round's time); down-after-ms 3000. */
class RegionAssessorTest {

    private static final long DOWN_AFTER_MS = 3000;
    private final ControlConfig config = Configs.threeRegions(2, DOWN_AFTER_MS, true, false);
    private final RegionAssessor assessor = new RegionAssessor(config);
    private final Rounds rounds = new Rounds(config);

    private RegionState stateAt(String region, long atMs) {
        return assessor.assess(rounds.at(atMs)).get(region).observed();
    }

    @Test
    void aRegionWhoseEdgesAllAnswerIsHealthy() {
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 0));
    }

    @Test
    void oneLostProbeOfAServingEdgeIsForgiven() {
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 0));
        rounds.killRegion("us-east");
        RegionHealth once = assessor.assess(rounds.at(1000)).get("us-east");
        assertEquals(RegionState.HEALTHY, once.observed());
        assertEquals(0, once.allFailingSince(), "the down window starts at the last answer all the same");
        assertEquals(RegionState.DEGRADED, stateAt("us-east", 2000));
        rounds.reviveRegion("us-east");
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 3000));
    }

    @Test
    void aRegionWithOneEdgeFailingIsDegradedAndStillServes() {
        rounds.kill("us-east-1");
        assessor.assess(rounds.at(0));
        RegionHealth health = assessor.assess(rounds.at(1000)).get("us-east");
        assertEquals(RegionState.DEGRADED, health.observed());
        assertTrue(health.serving());
        assertEquals(java.util.List.of("us-east-2"), health.servingEdges());
    }

    @Test
    void aRegionIsDownOnlyOnceNoEdgeAnsweredForDownAfterMsAndAPeerSeesTheLinkDown() {
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 500));
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 1500), "one lost probe of serving edges: forgiven");
        assertEquals(RegionState.DEGRADED, stateAt("us-east", 2500));
        assertEquals(RegionState.DEGRADED, stateAt("us-east", 3399));
        assertEquals(RegionState.DOWN, stateAt("us-east", 3500), "down-after-ms after its last answer, at 500");
        assertEquals(RegionState.HEALTHY, stateAt("eu-west", 3500));
    }

    /**
     * Rounds start late by a few ms each: the round that comes down-after-ms after the last answer decides, even
     * when its own start is a little early against the last answer's (a later start of that one).
     */
    @Test
    void theRoundDownAfterMsAfterTheLastAnswerDecidesDespiteItsJitter() {
        RegionAssessor everySecond = everySecond();
        assertEquals(RegionState.HEALTHY, everySecond.assess(rounds.at(530)).get("us-east").observed());
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        assertEquals(RegionState.HEALTHY, everySecond.assess(rounds.at(1510)).get("us-east").observed());
        assertEquals(RegionState.DEGRADED, everySecond.assess(rounds.at(2505)).get("us-east").observed());
        assertEquals(RegionState.DOWN, everySecond.assess(rounds.at(3502)).get("us-east").observed(),
                "2,972 ms after the last answer's round, which started 30 ms late");
    }

    @Test
    void aRoundWellShortOfDownAfterMsDecidesNothing() {
        RegionAssessor everySecond = everySecond();
        assertEquals(RegionState.HEALTHY, everySecond.assess(rounds.at(0)).get("us-east").observed());
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        everySecond.assess(rounds.at(1000));
        assertEquals(RegionState.DEGRADED, everySecond.assess(rounds.at(2850)).get("us-east").observed(),
                "150 ms short: more than the tolerance");
    }

    /** Probes every second, as by default: round times are compared within 100 ms. */
    private RegionAssessor everySecond() {
        return new RegionAssessor(Configs.config("cp-1", config.regions(), 1000, DOWN_AFTER_MS, true, false, 0,
                java.util.List.of(), null));
    }

    /** A control plane paused itself sees one failed round after a long gap: that alone is not down. */
    @Test
    void oneFailedRoundAfterALongGapIsNotDown() {
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 0));
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 10_000), "one lost probe of serving edges: forgiven");
        assertEquals(RegionState.DOWN, stateAt("us-east", 11_000), "the second failed round decides");
    }

    @Test
    void edgesFailingWhileEveryPeerLinkStaysConnectedIsNeverDown() {
        rounds.killRegion("us-east");
        for (long t = 0; t <= 60_000; t += 1000) {
            assertEquals(RegionState.DEGRADED, stateAt("us-east", t), "at " + t);
        }
    }

    @Test
    void oneCutLinkWhileTheEdgesAnswerIsNotDown() {
        rounds.cut("eu-west", "us-east").cut("ap-south", "us-east");
        for (long t = 0; t <= 60_000; t += 1000) {
            assertEquals(RegionState.HEALTHY, stateAt("us-east", t), "at " + t);
        }
    }

    @Test
    void aStandbyBridgesLinkDoesNotCount() {
        rounds.killRegion("us-east").standby("eu-west-b1").standby("ap-south-b1");
        for (long t = 0; t <= 10_000; t += 1000) {
            assertEquals(RegionState.DEGRADED, stateAt("us-east", t), "at " + t);
        }
    }

    @Test
    void theRegionsOwnBridgeDoesNotCountAsAnotherRegionAgreeing() {
        rounds.killRegion("us-east").cut("us-east", "eu-west");
        for (long t = 0; t <= 10_000; t += 1000) {
            assertEquals(RegionState.DEGRADED, stateAt("us-east", t), "at " + t);
        }
    }

    @Test
    void oneAnsweringProbeStartsTheDownAfterWindowAgain() {
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        stateAt("us-east", 0);
        stateAt("us-east", 2500);
        rounds.revive("us-east-2");
        assertEquals(RegionState.DEGRADED, stateAt("us-east", 2600));
        rounds.kill("us-east-2");
        assertEquals(RegionState.DEGRADED, stateAt("us-east", 3100));
        assertEquals(RegionState.DEGRADED, stateAt("us-east", 5499));
        assertEquals(RegionState.DOWN, stateAt("us-east", 5600), "down-after-ms after the answer at 2600");
    }

    @Test
    void aDownRegionWhoseEdgesAnswerAgainIsHealthy() {
        rounds.killRegion("us-east").cut("eu-west", "us-east");
        stateAt("us-east", 0);
        stateAt("us-east", 1000);
        assertEquals(RegionState.DOWN, stateAt("us-east", 3000));
        rounds.reviveRegion("us-east").mend("eu-west", "us-east");
        assertEquals(RegionState.HEALTHY, stateAt("us-east", 4000));
    }

    @Test
    void aDrainingEdgeAnsweredSoItsRegionIsNotDown() {
        io.heliograph.control.probe.EdgeProbe draining =
                new io.heliograph.control.probe.EdgeProbe("us-east-1", true, false, true, 0, 0, 0, null);
        assertTrue(!draining.failing() && !draining.serving());
    }
}
