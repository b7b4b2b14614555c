package io.heliograph.control.table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.heliograph.control.state.RegionState;

/**
 * One version of the mesh table. Immutable; every change answers a new table, and {@link #next(Leader)} gives it
 * the next version under the leader that made it. Homes are keyed by base region; a base region missing from
 * {@code homes} is at itself under epoch 1.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MeshTable(long version, Leader leader, Map<String, Home> homes, Map<String, RegionEntry> regions,
                        Map<String, List<String>> preference) {

    /** The replica that wrote this version and its lease epoch. */
    public record Leader(String id, long epoch) {
    }

    /** Where the channels of one base region live, and under which epoch. */
    public record Home(String region, long epoch) {
    }

    /** An edge as clients reach it. */
    public record Edge(String id, String ws, String http) {
    }

    public record RegionEntry(RegionState state, List<Edge> edges) {
        public RegionEntry {
            edges = List.copyOf(edges);
        }
    }

    public MeshTable {
        homes = frozen(homes);
        regions = frozen(regions);
        Map<String, List<String>> prefs = new LinkedHashMap<>();
        preference.forEach((r, list) -> prefs.put(r, List.copyOf(list)));
        preference = Collections.unmodifiableMap(prefs);
    }

    private static <V> Map<String, V> frozen(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** Where base region {@code base} is homed now. */
    public Home home(String base) {
        return homes.getOrDefault(base, new Home(base, 1));
    }

    /** The base regions whose channels live at {@code region}, in region order. */
    public List<String> homedAt(String region) {
        List<String> bases = new ArrayList<>();
        for (String base : regions.keySet()) {
            if (home(base).region().equals(region)) {
                bases.add(base);
            }
        }
        return bases;
    }

    /** Every base region's epoch. */
    public Map<String, Long> epochs() {
        Map<String, Long> epochs = new LinkedHashMap<>();
        regions.keySet().forEach(base -> epochs.put(base, home(base).epoch()));
        return epochs;
    }

    public RegionState state(String region) {
        return Optional.ofNullable(regions.get(region)).map(RegionEntry::state).orElse(RegionState.HEALTHY);
    }

    /** This table with {@code region}'s state set. */
    public MeshTable withState(String region, RegionState state) {
        Map<String, RegionEntry> changed = new LinkedHashMap<>(regions);
        changed.put(region, new RegionEntry(state, regions.get(region).edges()));
        return new MeshTable(version, leader, homes, changed, preference);
    }

    /** This table with the given base regions homed at {@code to}, each under its epoch + 1. */
    public MeshTable withHomes(List<String> bases, String to) {
        Map<String, Home> changed = new LinkedHashMap<>();
        for (String base : regions.keySet()) {
            Home current = home(base);
            if (bases.contains(base) && !current.region().equals(to)) {
                changed.put(base, new Home(to, current.epoch() + 1));
            } else if (homes.containsKey(base) || bases.contains(base)) {
                changed.put(base, current);
            }
        }
        return new MeshTable(version, leader, changed, regions, preference);
    }

    /** The next version, written by {@code leader}. */
    public MeshTable next(Leader by) {
        return new MeshTable(version + 1, by, homes, regions, preference);
    }

    /** The same table under another version (a new leader continuing above the highest version it found). */
    public MeshTable atVersion(long newVersion, Leader by) {
        return new MeshTable(newVersion, by, homes, regions, preference);
    }

    /** Same homes, states and edges: whether a change needs a new version. */
    public boolean sameContent(MeshTable other) {
        return other != null && homes.equals(other.homes) && regions.equals(other.regions)
                && preference.equals(other.preference);
    }
}
