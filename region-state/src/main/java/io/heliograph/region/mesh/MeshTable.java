package io.heliograph.region.mesh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.heliograph.region.sequencing.Home;

/**
 * One version of the mesh table (docs/control-plane.md). {@code homes} is keyed by base region: every channel that the
 * configuration alone places in region {@code b} lives at {@code homes.get(b)}; a base region it does not name is at
 * itself in the first epoch. Immutable; a region keeps a table only when its version is higher than the one it holds.
 *
 * @param version    grows by one with every change the control plane's leader makes
 * @param leaderId   the control-plane replica that issued it
 * @param leaderEpoch the issuing leader's lease epoch
 * @param homes      base region to where its channels are sequenced now
 * @param regions    every region's state and edge nodes, for routing
 * @param preference every region's other regions, nearest first
 */
public record MeshTable(long version, String leaderId, long leaderEpoch, Map<String, Home> homes,
                        Map<String, RegionEntry> regions, Map<String, List<String>> preference) {

    /** Region states the control plane decides (docs/control-plane.md). */
    public static final List<String> STATES = List.of("healthy", "degraded", "down", "draining");

    /** A region's state and its edge nodes. */
    public record RegionEntry(String state, List<EdgeAddress> edges) {
        public RegionEntry {
            if (!STATES.contains(state)) {
                throw new IllegalArgumentException("region state must be one of " + STATES + ", got " + state);
            }
            edges = List.copyOf(edges);
        }

        /** Clients may be sent here: neither down nor draining. */
        public boolean servesClients() {
            return state.equals("healthy") || state.equals("degraded");
        }
    }

    /** An edge node's addresses. */
    public record EdgeAddress(String id, String ws, String http) {
    }

    /** Where a client is sent, and why (docs/control-plane.md, "route"). */
    public record Route(String region, String reason, List<EdgeAddress> edges, long tableVersion) {
    }

    public MeshTable {
        if (version < 1) {
            throw new IllegalArgumentException("a mesh table's version starts at 1, got " + version);
        }
        homes = Map.copyOf(homes);
        regions = Map.copyOf(new TreeMap<>(regions));
        Map<String, List<String>> prefs = new LinkedHashMap<>();
        preference.forEach((region, others) -> prefs.put(region, List.copyOf(others)));
        preference = Map.copyOf(prefs);
        for (var home : homes.entrySet()) {
            if (!regions.isEmpty() && !regions.containsKey(home.getValue().region())) {
                throw new IllegalArgumentException("homes." + home.getKey() + " names region "
                        + home.getValue().region() + ", which is not in regions " + regions.keySet());
            }
        }
    }

    /** Where the channels of {@code baseRegion} are sequenced now: at itself, epoch 1, unless the table moved them. */
    public Home homeOf(String baseRegion) {
        Home home = homes.get(baseRegion);
        return home != null ? home : new Home(baseRegion, io.heliograph.region.channel.ChannelState.FIRST_EPOCH);
    }

    /** The state the table gives {@code region}; healthy for a region it does not list. */
    public String stateOf(String region) {
        RegionEntry entry = regions.get(region);
        return entry == null ? "healthy" : entry.state();
    }

    public boolean isDown(String region) {
        return stateOf(region).equals("down");
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
        for (String region : regions.keySet()) {
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

    // ---- binary form, for the region's store (the version first, for merge policies to read alone) ----

    public byte[] toBytes() {
        try {
            var bytes = new ByteArrayOutputStream(256);
            var out = new DataOutputStream(bytes);
            out.writeLong(version);
            out.writeUTF(leaderId);
            out.writeLong(leaderEpoch);
            out.writeInt(homes.size());
            for (var e : new TreeMap<>(homes).entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().region());
                out.writeLong(e.getValue().epoch());
            }
            out.writeInt(regions.size());
            for (var e : regions.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().state());
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
            String leaderId = in.readUTF();
            long leaderEpoch = in.readLong();
            Map<String, Home> homes = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                homes.put(in.readUTF(), new Home(in.readUTF(), in.readLong()));
            }
            Map<String, RegionEntry> regions = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                String state = in.readUTF();
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
            return new MeshTable(version, leaderId, leaderEpoch, homes, regions, preference);
        } catch (IOException e) {
            throw new UncheckedIOException("a mesh table in an unknown form", e);
        }
    }
}
