package io.heliograph.region.mesh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.sequencing.Home;

/**
 * One version of the mesh table (docs/control-plane.md, "The mesh table"): the one model of it, written by the
 * control plane's leader and acted on by every region. {@code homes} is keyed by base region: every channel that the
 * configuration alone places in region {@code b} lives at {@code homes.get(b)}; a base region it does not name is at
 * itself in the first epoch. Immutable: every change answers a new table, and {@link #next} gives it the next version
 * under the leader that made it. A region keeps a table only when its version is higher than the one it holds.
 *
 * <p>The maps keep the order they were given in (the control plane's configuration order, or the JSON's), so that
 * what iterates the regions (the control plane's decisions, {@link #homedAt}) does so in the order an operator wrote.
 * JSON: {@link MeshTableJson}; binary, for the region's store: {@link #toBytes}.
 *
 * @param version    grows by one with every change the control plane's leader makes
 * @param leader     the control-plane replica that issued it, with its lease epoch
 * @param homes      base region to where its channels are sequenced now
 * @param regions    every region's state and edge nodes, for routing
 * @param preference every region's other regions, nearest first
 */
public record MeshTable(long version, Leader leader, Map<String, Home> homes, Map<String, RegionEntry> regions,
                        Map<String, List<String>> preference) {

    /**
     * The control-plane replica that wrote a version, and the lease epoch it led under. A table read without one has
     * id {@code ""} and epoch 0, which no lease ever has.
     */
    public record Leader(String id, long epoch) {
        public Leader {
            Objects.requireNonNull(id, "a leader's id (\"\" when unknown)");
        }
    }

    /** A region's state and its edge nodes. */
    public record RegionEntry(RegionState state, List<EdgeAddress> edges) {
        public RegionEntry {
            Objects.requireNonNull(state, "a region's state");
            edges = List.copyOf(edges);
        }

        /** Clients may be sent here: neither down nor draining. */
        public boolean servesClients() {
            return state.servesClients();
        }
    }

    /** An edge node's addresses, as clients reach it. */
    public record EdgeAddress(String id, String ws, String http) {
    }

    /** Where a client is sent, and why (docs/control-plane.md, {@code route} and {@code negotiate}). */
    public record Route(String region, String reason, List<EdgeAddress> edges, long tableVersion) {
        public Route {
            edges = List.copyOf(edges);
        }
    }

    public MeshTable {
        if (version < 1) {
            throw new IllegalArgumentException("a mesh table's version starts at 1, got " + version);
        }
        Objects.requireNonNull(leader, "a mesh table's leader");
        homes = inGivenOrder(homes, "homes");
        regions = inGivenOrder(regions, "regions");
        Map<String, List<String>> prefs = new LinkedHashMap<>();
        preference.forEach((region, others) -> prefs.put(region, List.copyOf(others)));
        preference = inGivenOrder(prefs, "preference");
        for (var home : homes.entrySet()) {
            if (!regions.isEmpty() && !regions.containsKey(home.getValue().region())) {
                throw new IllegalArgumentException("homes." + home.getKey() + " names region "
                        + home.getValue().region() + ", which is not in regions " + regions.keySet());
            }
        }
    }

    private static <V> Map<String, V> inGivenOrder(Map<String, V> map, String what) {
        Map<String, V> copy = new LinkedHashMap<>();
        map.forEach((key, value) -> copy.put(Objects.requireNonNull(key, what + ": a null region"),
                Objects.requireNonNull(value, what + "." + key + ": null")));
        return Collections.unmodifiableMap(copy);
    }

    // ---- reading ----

    /** Where the channels of {@code baseRegion} are sequenced now: at itself, epoch 1, unless the table moved them. */
    public Home homeOf(String baseRegion) {
        Home home = homes.get(baseRegion);
        return home != null ? home : new Home(baseRegion, ChannelState.FIRST_EPOCH);
    }

    /** The state the table gives {@code region}; healthy for a region it does not list. */
    public RegionState stateOf(String region) {
        RegionEntry entry = regions.get(region);
        return entry == null ? RegionState.HEALTHY : entry.state();
    }

    public boolean isDown(String region) {
        return stateOf(region) == RegionState.DOWN;
    }

    /** The base regions whose channels live at {@code region}, in the table's region order. */
    public List<String> homedAt(String region) {
        List<String> bases = new ArrayList<>();
        for (String base : regions.keySet()) {
            if (homeOf(base).region().equals(region)) {
                bases.add(base);
            }
        }
        return bases;
    }

    /** Every listed region's epoch as a base region, in the table's region order. */
    public Map<String, Long> epochs() {
        Map<String, Long> epochs = new LinkedHashMap<>();
        regions.keySet().forEach(base -> epochs.put(base, homeOf(base).epoch()));
        return epochs;
    }

    /**
     * Same homes, states, edges and preference, whatever the version and the leader: whether a change needs a new
     * version, and whether two tables under one version number are the same table.
     */
    public boolean sameContent(MeshTable other) {
        return other != null && homes.equals(other.homes) && regions.equals(other.regions)
                && preference.equals(other.preference);
    }

    /**
     * The region a client near {@code near} is sent to: {@code near} itself when it serves clients, else the first of
     * its preference that does ({@code reason} "near" or "preference"); {@code fallback} (its reason) when
     * {@code near} is null. Empty when no listed region serves clients.
     */
    public Optional<Route> route(String near, String fallback, String fallbackReason) {
        String start = near != null ? near : fallback;
        String reason = near != null ? "near" : fallbackReason;
        List<String> order = new ArrayList<>();
        if (start != null) {
            order.add(start);
            order.addAll(preference.getOrDefault(start, List.of()));
        }
        // Anything the preference leaves out still beats no answer, in name order.
        for (String region : new TreeSet<>(regions.keySet())) {
            if (!order.contains(region)) {
                order.add(region);
            }
        }
        for (String region : order) {
            RegionEntry entry = regions.get(region);
            if (entry != null && entry.servesClients() && !entry.edges().isEmpty()) {
                return Optional.of(new Route(region, region.equals(start) ? reason : "preference", entry.edges(),
                        version));
            }
        }
        return Optional.empty();
    }

    // ---- changing (the control plane's leader; each answers a new table under the same version) ----

    /** This table with {@code region}'s state set (its edges unchanged). */
    public MeshTable withState(String region, RegionState state) {
        RegionEntry entry = regions.get(region);
        if (entry == null) {
            throw new IllegalArgumentException("no region " + region + " in " + regions.keySet());
        }
        Map<String, RegionEntry> changed = new LinkedHashMap<>(regions);
        changed.put(region, new RegionEntry(state, entry.edges()));
        return new MeshTable(version, leader, homes, changed, preference);
    }

    /**
     * This table with the given base regions homed at {@code to}, each under its epoch + 1 (a base region already
     * there keeps its epoch: it did not move). The epoch grows with every move, so a serial never repeats.
     */
    public MeshTable withHomes(List<String> bases, String to) {
        Map<String, Home> changed = new LinkedHashMap<>();
        for (String base : regions.keySet()) {
            Home current = homeOf(base);
            if (bases.contains(base) && !current.region().equals(to)) {
                changed.put(base, new Home(to, current.epoch() + 1));
            } else if (homes.containsKey(base) || bases.contains(base)) {
                changed.put(base, current);
            }
        }
        return new MeshTable(version, leader, changed, regions, preference);
    }

    /** This table with {@code base} homed exactly at {@code home} (a home taken, epoch and all, from another table). */
    public MeshTable withHome(String base, Home home) {
        Map<String, Home> changed = new LinkedHashMap<>(homes);
        changed.put(base, home);
        return new MeshTable(version, leader, changed, regions, preference);
    }

    /** The next version, written by {@code by}. */
    public MeshTable next(Leader by) {
        return new MeshTable(version + 1, by, homes, regions, preference);
    }

    /** The same table under another version (a new leader continuing above the highest version it found). */
    public MeshTable atVersion(long newVersion, Leader by) {
        return new MeshTable(newVersion, by, homes, regions, preference);
    }

    // ---- binary form, for the region's store (the version first, for merge policies to read alone) ----

    /**
     * The table in the form the region's Hazelcast keeps: version, leader id and epoch, then homes, regions and
     * preference, each in region name order (so one table always gives the same bytes).
     */
    public byte[] toBytes() {
        try {
            var bytes = new ByteArrayOutputStream(256);
            var out = new DataOutputStream(bytes);
            out.writeLong(version);
            out.writeUTF(leader.id());
            out.writeLong(leader.epoch());
            out.writeInt(homes.size());
            for (var e : new TreeMap<>(homes).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().region());
                out.writeLong(e.getValue().epoch());
            }
            out.writeInt(regions.size());
            for (var e : new TreeMap<>(regions).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().state().wire());
                out.writeInt(e.getValue().edges().size());
                for (EdgeAddress edge : e.getValue().edges()) {
                    out.writeUTF(edge.id());
                    out.writeUTF(edge.ws());
                    out.writeUTF(edge.http());
                }
            }
            out.writeInt(preference.size());
            for (var e : new TreeMap<>(preference).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (String other : e.getValue()) {
                    out.writeUTF(other);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of a table in binary form, without reading the rest. */
    public static long versionOf(byte[] bytes) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    public static MeshTable fromBytes(byte[] bytes) {
        try {
            var in = new DataInputStream(new ByteArrayInputStream(bytes));
            long version = in.readLong();
            Leader leader = new Leader(in.readUTF(), in.readLong());
            Map<String, Home> homes = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                homes.put(in.readUTF(), new Home(in.readUTF(), in.readLong()));
            }
            Map<String, RegionEntry> regions = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                RegionState state = RegionState.fromWire(in.readUTF());
                List<EdgeAddress> edges = new ArrayList<>();
                for (int j = in.readInt(); j > 0; j--) {
                    edges.add(new EdgeAddress(in.readUTF(), in.readUTF(), in.readUTF()));
                }
                regions.put(name, new RegionEntry(state, edges));
            }
            Map<String, List<String>> preference = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                List<String> others = new ArrayList<>();
                for (int j = in.readInt(); j > 0; j--) {
                    others.add(in.readUTF());
                }
                preference.put(name, others);
            }
            return new MeshTable(version, leader, homes, regions, preference);
        } catch (IOException e) {
            throw new UncheckedIOException("a mesh table in an unknown form", e);
        }
    }
}
