package io.heliograph.bridge.link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.heliograph.bridge.v1.MeshTableSnapshot;
import io.heliograph.bridge.v1.RegionList;
import io.heliograph.bridge.v1.TableEdge;
import io.heliograph.bridge.v1.TableHome;
import io.heliograph.bridge.v1.TableRegion;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;
import io.heliograph.region.sequencing.Home;

/** The mesh table between region-state's model and its wire form in a Hello ({@link MeshTableSnapshot}). */
public final class MeshTableCodec {

    private static final System.Logger LOG = System.getLogger(MeshTableCodec.class.getName());

    private MeshTableCodec() {
    }

    public static MeshTableSnapshot toWire(MeshTable table) {
        MeshTableSnapshot.Builder wire = MeshTableSnapshot.newBuilder().setVersion(table.version())
                .setLeaderId(table.leader().id()).setLeaderEpoch(table.leader().epoch());
        table.homes().forEach((base, home) -> wire.putHomes(base,
                TableHome.newBuilder().setRegion(home.region()).setEpoch(home.epoch()).build()));
        table.regions().forEach((region, entry) -> {
            TableRegion.Builder r = TableRegion.newBuilder().setState(entry.state().wire());
            entry.edges().forEach(edge -> r.addEdges(TableEdge.newBuilder().setId(edge.id()).setWs(edge.ws())
                    .setHttp(edge.http())));
            wire.putRegions(region, r.build());
        });
        table.preference().forEach((region, others) -> wire.putPreference(region,
                RegionList.newBuilder().addAllRegions(others).build()));
        return wire.build();
    }

    /** Offers the table {@code peer}'s Hello carries, if any, to this region; an invalid one is logged and dropped. */
    static void offerFrom(io.heliograph.bridge.v1.Hello hello, String peer, TableExchange tables) {
        if (!hello.hasMeshTable()) {
            return;
        }
        try {
            tables.offered(fromWire(hello.getMeshTable()), peer);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the mesh table in " + peer + "'s Hello is not valid, ignored: "
                    + e.getMessage());
        }
    }

    /** The Hello with this region's table, when it holds one. */
    static io.heliograph.bridge.v1.Hello.Builder withTable(io.heliograph.bridge.v1.Hello.Builder hello,
                                                          TableExchange tables) {
        tables.held().ifPresent(table -> hello.setMeshTable(toWire(table)));
        return hello;
    }

    /** @throws IllegalArgumentException when the snapshot is not a valid table (a version 0, an unknown state, ...) */
    public static MeshTable fromWire(MeshTableSnapshot wire) {
        Map<String, Home> homes = new LinkedHashMap<>();
        wire.getHomesMap().forEach((base, home) -> homes.put(base, new Home(home.getRegion(), home.getEpoch())));
        Map<String, MeshTable.RegionEntry> regions = new LinkedHashMap<>();
        wire.getRegionsMap().forEach((region, entry) -> {
            List<MeshTable.EdgeAddress> edges = new ArrayList<>();
            entry.getEdgesList().forEach(e -> edges.add(new MeshTable.EdgeAddress(e.getId(), e.getWs(), e.getHttp())));
            regions.put(region, new MeshTable.RegionEntry(RegionState.fromWire(entry.getState()), edges));
        });
        Map<String, List<String>> preference = new LinkedHashMap<>();
        wire.getPreferenceMap().forEach((region, list) -> preference.put(region, list.getRegionsList()));
        return new MeshTable(wire.getVersion(), new MeshTable.Leader(wire.getLeaderId(), wire.getLeaderEpoch()), homes,
                regions, preference);
    }
}
