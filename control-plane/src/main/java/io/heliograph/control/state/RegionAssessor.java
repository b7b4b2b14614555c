package io.heliograph.control.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.probe.BridgeProbe;
import io.heliograph.control.probe.EdgeProbe;
import io.heliograph.control.probe.ProbeRound;
import io.heliograph.region.mesh.RegionState;

/**
 * Decides each region's observed state from successive probe rounds. A region is {@code down} only when <b>both</b>
 * hold (invariant 8, docs/control-plane.md "Decisions"): every one of its edges has failed its probes continuously
 * for {@code failover.down-after-ms}, <b>and</b> at least one other region's bridge that holds its region's lease
 * reports its link to this region as not connected. Either alone (a lost probe path, one cut link) leaves it
 * {@code degraded} at worst. One lost probe of an edge that served is forgiven (it still counts as serving for that
 * round, not for {@code down}'s window), so that a region does not turn {@code degraded}, and its clients are not
 * routed away, for a single late answer on a busy host. Pure: the time is each round's {@code atMs}; rounds must come
 * in order.
 */
public final class RegionAssessor {

    private final ControlConfig config;
    private final long downAfterMs;
    /** Per region, while every edge fails: the start of the down window (its last answer); absent while one answers. */
    private final Map<String, Long> allFailingSince = new HashMap<>();
    /** Per region, the time of the last round in which one of its edges answered. */
    private final Map<String, Long> lastAnswered = new HashMap<>();
    /** Per region, rounds in a row in which every edge failed. */
    private final Map<String, Integer> failingRounds = new HashMap<>();
    /** Per edge, how many rounds in a row it did not serve. */
    private final Map<String, Integer> missedRounds = new HashMap<>();
    /** Per edge, whether it served in the last round it was not forgiven. */
    private final Map<String, Boolean> servedBefore = new HashMap<>();

    public RegionAssessor(ControlConfig config) {
        this.config = config;
        // Rounds start at a fixed rate, each a little late: with down-after-ms a multiple of the interval (3 s, 1 s),
        // "no answer for 3 s" would be decided at 2,970 ms or 3,030 ms by chance, and a miss costs a whole round.
        // Round times are compared within a tenth of an interval (at most 100 ms).
        this.downAfterMs = config.failover().downAfterMs() - Math.min(100, config.probe().intervalMs() / 10);
    }

    /** Every region's health after {@code round}, in configuration order. */
    public synchronized Map<String, RegionHealth> assess(ProbeRound round) {
        Map<String, RegionHealth> out = new LinkedHashMap<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            out.put(region.name(), assess(region, round));
        }
        return out;
    }

    private RegionHealth assess(ControlConfig.RegionSpec region, ProbeRound round) {
        List<String> serving = new ArrayList<>();
        int failing = 0;
        for (ControlConfig.EdgeSpec edge : region.edges()) {
            EdgeProbe probe = round.edge(edge.id());
            if (probe.serving()) {
                missedRounds.put(edge.id(), 0);
                servedBefore.put(edge.id(), true);
                serving.add(edge.id());
            } else {
                int missed = missedRounds.merge(edge.id(), 1, Integer::sum);
                if (missed == 1 && probe.failing() && servedBefore.getOrDefault(edge.id(), false)) {
                    serving.add(edge.id());
                } else {
                    servedBefore.put(edge.id(), false);
                }
            }
            if (probe.failing()) {
                failing++;
            }
        }
        boolean allFailing = failing == region.edges().size();
        long since;
        int failedRounds;
        if (allFailing) {
            // The window runs from the last round in which the region answered: "unreachable for down-after-ms",
            // so that a region lost just after a probe is down down-after-ms after its last answer, not up to one
            // probe interval later. Without an answer ever, from this first failed round.
            since = allFailingSince.computeIfAbsent(region.name(),
                    r -> lastAnswered.getOrDefault(r, round.atMs()));
            failedRounds = failingRounds.merge(region.name(), 1, Integer::sum);
        } else {
            allFailingSince.remove(region.name());
            failingRounds.remove(region.name());
            lastAnswered.put(region.name(), round.atMs());
            since = -1;
            failedRounds = 0;
        }
        List<String> reporting = peersReportingDown(region.name(), round);
        RegionState observed;
        // Two failed rounds at least: one round alone (a control plane that was itself paused) decides nothing.
        if (allFailing && failedRounds >= 2 && round.atMs() - since >= downAfterMs && !reporting.isEmpty()) {
            observed = RegionState.DOWN;
        } else if (serving.size() == region.edges().size()) {
            observed = RegionState.HEALTHY;
        } else {
            observed = RegionState.DEGRADED;
        }
        return new RegionHealth(region.name(), observed, serving, since, reporting);
    }

    /** The bridges of other regions that speak for their region and see their link to {@code region} not connected. */
    private List<String> peersReportingDown(String region, ProbeRound round) {
        List<String> reporting = new ArrayList<>();
        for (ControlConfig.RegionSpec other : config.regions()) {
            if (other.name().equals(region)) {
                continue;
            }
            for (ControlConfig.BridgeSpec bridge : other.bridges()) {
                BridgeProbe probe = round.bridge(bridge.id());
                if (probe.reportsLinkDown(region)) {
                    reporting.add(bridge.id());
                }
            }
        }
        return reporting;
    }
}
