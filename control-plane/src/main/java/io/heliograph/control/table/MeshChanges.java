package io.heliograph.control.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.heliograph.control.audit.AuditEvent;
import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.state.RegionHealth;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;

/**
 * The pure decisions that change the mesh table: what the leader does after a probe round (states, automatic
 * failover on {@code down}, failback when configured) and what the manual calls do (failover, restore). Each answers
 * the new table (same version: the caller gives it the next one) and the audit drafts describing it. No I/O.
 */
public final class MeshChanges {

    /** Who made a change the leader decided by itself. */
    public static final String AUTO = "auto";

    /** A table and why it differs from the one it came from (no drafts: nothing changed). */
    public record Change(MeshTable table, List<AuditEvent> events) {
        public Change {
            events = List.copyOf(events);
        }

        public boolean changed() {
            return !events.isEmpty();
        }
    }

    /** A manual call that cannot be done; {@code code} is the API's error code. */
    public static final class Refused extends RuntimeException {
        private final String code;
        private final int status;

        public Refused(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public String code() {
            return code;
        }

        public int status() {
            return status;
        }
    }

    private final ControlConfig config;

    public MeshChanges(ControlConfig config) {
        this.config = config;
    }

    /**
     * The table the first leader publishes, version 1: every region at itself under epoch 1, healthy, with its
     * configured edges and preference.
     */
    public MeshTable initial(MeshTable.Leader leader) {
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        Map<String, List<String>> preference = new LinkedHashMap<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            regions.put(region.name(), new MeshTable.RegionEntry(RegionState.HEALTHY, edges(region)));
            preference.put(region.name(), region.preference());
        }
        return new MeshTable(1, leader, Map.of(), regions, preference);
    }

    /**
     * A table found elsewhere (an edge, the replicas' map) brought in line with this configuration: regions,
     * edges and preference from the configuration, homes and states as found (a region it lacks is healthy), under
     * the version and leader found.
     */
    public MeshTable adopt(MeshTable found) {
        MeshTable base = initial(found.leader());
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        base.regions().forEach((name, entry) -> regions.put(name, new MeshTable.RegionEntry(
                found.regions().containsKey(name) ? found.stateOf(name) : RegionState.HEALTHY, entry.edges())));
        Map<String, Home> homes = new LinkedHashMap<>();
        found.homes().forEach((b, home) -> {
            if (regions.containsKey(b) && regions.containsKey(home.region())) {
                homes.put(b, home);
            }
        });
        return new MeshTable(found.version(), found.leader(), homes, regions, base.preference());
    }

    private static List<MeshTable.EdgeAddress> edges(ControlConfig.RegionSpec region) {
        return region.edges().stream().map(e -> new MeshTable.EdgeAddress(e.id(), e.ws(), e.http())).toList();
    }

    /**
     * After a probe round: each region's state follows its health, except that {@code draining} stays until a
     * restore; a region newly {@code down} has its homes moved to the first serving region of its preference (when
     * {@code failover.auto}); homes still at a {@code down} region move as soon as a target serves; a region that
     * comes back is failed back only with {@code failback}.
     */
    public Change afterProbes(MeshTable table, Map<String, RegionHealth> health) {
        MeshTable next = table;
        List<AuditEvent> events = new ArrayList<>();
        for (String region : table.regions().keySet()) {
            RegionHealth h = health.get(region);
            if (h == null) {
                continue;
            }
            RegionState was = next.stateOf(region);
            RegionState now = was == RegionState.DRAINING ? RegionState.DRAINING : h.observed();
            if (was == RegionState.DOWN && h.servingEdges().isEmpty()) {
                // Down is left only when an edge serves again, not when a peer's bridge stops reporting the link.
                now = RegionState.DOWN;
            }
            if (now != was) {
                next = next.withState(region, now);
                events.add(AuditEvent.draft(AUTO, "region-state", region, now.wire(), reason(h, was),
                        Map.of(), Map.of(), 0));
            }
            if (now == RegionState.DOWN && config.failover().auto() && !next.homedAt(region).isEmpty()) {
                Optional<String> target = firstServing(next, region, health);
                if (target.isPresent()) {
                    Change moved = move(next, region, target.get(), AUTO, "failover",
                            "down: every edge failed its probes and " + h.peersReporting()
                                    + " report the link down");
                    next = moved.table();
                    events.addAll(moved.events());
                }
            }
            if (was == RegionState.DOWN && now != RegionState.DOWN && config.failover().failback() && h.serving()) {
                Change back = restore(next, region, AUTO, "failback: the region serves again");
                next = back.table();
                events.addAll(back.events());
            }
        }
        return new Change(next, events);
    }

    private static String reason(RegionHealth h, RegionState was) {
        return switch (h.observed()) {
            case DOWN -> "every edge failed its probes since " + java.time.Instant.ofEpochMilli(h.allFailingSince())
                    + " and " + h.peersReporting()
                    + " report the link down";
            case DEGRADED -> h.servingEdges().isEmpty()
                    ? (h.peersReporting().isEmpty() ? "no edge serves; no peer region reports it unreachable"
                    : "no edge serves (not yet down)")
                    : "edges serving: " + h.servingEdges();
            case HEALTHY -> was == RegionState.DOWN ? "every edge serves again" : "every edge serves";
            case DRAINING -> "draining";
        };
    }

    /** The first region of {@code region}'s preference that serves and is neither down nor draining in the table. */
    public Optional<String> firstServing(MeshTable table, String region, Map<String, RegionHealth> health) {
        for (String candidate : table.preference().getOrDefault(region, List.of())) {
            RegionHealth h = health.get(candidate);
            RegionState state = table.stateOf(candidate);
            if (h != null && h.serving() && state != RegionState.DOWN && state != RegionState.DRAINING) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A manual failover: every base region homed at {@code region} moves to {@code to} (or the first serving region
     * of its preference), epoch + 1, and {@code region} is marked {@code draining}.
     */
    public Change failover(MeshTable table, String region, String to, Map<String, RegionHealth> health, String who) {
        requireRegion(table, region);
        String target = to;
        if (target == null) {
            target = firstServing(table, region, health).orElseThrow(() -> new Refused(503, "no_healthy_region",
                    "no region of " + region + "'s preference " + table.preference().get(region) + " serves"));
        } else {
            requireRegion(table, target);
            if (target.equals(region)) {
                throw new Refused(400, "bad_request", "to: must differ from region (" + region + ")");
            }
            RegionHealth h = health.get(target);
            RegionState state = table.stateOf(target);
            if (h == null || !h.serving() || state == RegionState.DOWN || state == RegionState.DRAINING) {
                throw new Refused(409, "region_unavailable", "to: " + target + " does not serve (it is "
                        + state.wire() + ")");
            }
        }
        Change moved = move(table, region, target, who, "failover", "manual failover");
        MeshTable next = moved.table();
        List<AuditEvent> events = new ArrayList<>(moved.events());
        if (next.stateOf(region) != RegionState.DRAINING) {
            next = next.withState(region, RegionState.DRAINING);
            if (events.isEmpty()) {
                // Nothing was homed there: the event still records the drain.
                events.add(AuditEvent.draft(who, "failover", region, target, "manual failover (no homes there)",
                        Map.of(), Map.of(), 0));
            }
        }
        return new Change(next, events);
    }

    /**
     * Homes back: base region {@code region}, wherever it lives now, returns to {@code region} under epoch + 1, and
     * its state follows its health again (a drain ends).
     */
    public Change restore(MeshTable table, String region, String who, String reason) {
        requireRegion(table, region);
        MeshTable next = table;
        List<AuditEvent> events = new ArrayList<>();
        Map<String, Long> before = table.epochs();
        if (!table.homeOf(region).region().equals(region)) {
            next = next.withHomes(List.of(region), region);
        }
        if (next.stateOf(region) == RegionState.DRAINING || next.stateOf(region) == RegionState.DOWN) {
            next = next.withState(region, RegionState.HEALTHY);
        }
        if (!next.sameContent(table)) {
            events.add(AuditEvent.draft(who, "restore", region, region, reason, changed(before, table, List.of(region)),
                    changed(next.epochs(), next, List.of(region)), 0));
        }
        return new Change(next, events);
    }

    /** Every base region homed at {@code from} moves to {@code to}. */
    private static Change move(MeshTable table, String from, String to, String who, String what, String reason) {
        List<String> bases = table.homedAt(from);
        if (bases.isEmpty()) {
            return new Change(table, List.of());
        }
        MeshTable next = table.withHomes(bases, to);
        return new Change(next, List.of(AuditEvent.draft(who, what, from, to, reason,
                changed(table.epochs(), table, bases), changed(next.epochs(), next, bases), 0)));
    }

    private static Map<String, Long> changed(Map<String, Long> epochs, MeshTable table, List<String> bases) {
        Map<String, Long> out = new LinkedHashMap<>();
        bases.forEach(b -> out.put(b, epochs.getOrDefault(b, table.homeOf(b).epoch())));
        return out;
    }

    private static void requireRegion(MeshTable table, String region) {
        if (region == null || !table.regions().containsKey(region)) {
            throw new Refused(400, "unknown_region", "unknown region '" + region + "'; known: "
                    + table.regions().keySet());
        }
    }
}
