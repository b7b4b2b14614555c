package io.heliograph.control.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.heliograph.control.config.ControlConfig;
import io.heliograph.control.probe.BridgeProbe;
import io.heliograph.control.probe.EdgeProbe;
import io.heliograph.control.probe.ProbeRound;

/** Probe rounds written by hand for the pure tests: which edges answer, which links are cut. */
public final class Rounds {

    private final ControlConfig config;
    private final Set<String> deadEdges = new java.util.HashSet<>();
    /** "from-region to-region" of links reported down. */
    private final Set<String> cutLinks = new java.util.HashSet<>();
    private final Set<String> standbyBridges = new java.util.HashSet<>();

    public Rounds(ControlConfig config) {
        this.config = config;
    }

    public Rounds kill(String... edgeIds) {
        deadEdges.addAll(java.util.List.of(edgeIds));
        return this;
    }

    public Rounds revive(String... edgeIds) {
        java.util.List.of(edgeIds).forEach(deadEdges::remove);
        return this;
    }

    /** Every edge of {@code region} stops answering. */
    public Rounds killRegion(String region) {
        config.region(region).orElseThrow().edges().forEach(e -> deadEdges.add(e.id()));
        return this;
    }

    public Rounds reviveRegion(String region) {
        config.region(region).orElseThrow().edges().forEach(e -> deadEdges.remove(e.id()));
        return this;
    }

    /** The bridge of {@code from} reports its link to {@code to} not connected. */
    public Rounds cut(String from, String to) {
        cutLinks.add(from + " " + to);
        return this;
    }

    public Rounds mend(String from, String to) {
        cutLinks.remove(from + " " + to);
        return this;
    }

    public Rounds standby(String bridgeId) {
        standbyBridges.add(bridgeId);
        return this;
    }

    public ProbeRound at(long atMs) {
        Map<String, EdgeProbe> edges = new HashMap<>();
        Map<String, BridgeProbe> bridges = new HashMap<>();
        for (ControlConfig.RegionSpec region : config.regions()) {
            for (ControlConfig.EdgeSpec edge : region.edges()) {
                edges.put(edge.id(), deadEdges.contains(edge.id()) ? EdgeProbe.failed(edge.id(), "refused")
                        : new EdgeProbe(edge.id(), true, true, false, 1, 1, 0, null));
            }
            for (ControlConfig.BridgeSpec bridge : region.bridges()) {
                Map<String, BridgeProbe.PeerLink> peers = new HashMap<>();
                boolean standby = standbyBridges.contains(bridge.id());
                for (String peer : config.regionNames()) {
                    if (!peer.equals(region.name())) {
                        String link = standby ? "STANDBY"
                                : cutLinks.contains(region.name() + " " + peer) ? "BACKING_OFF" : "STREAMING";
                        peers.put(peer, new BridgeProbe.PeerLink(link, "CLOSED", 0, 0));
                    }
                }
                bridges.put(bridge.id(), new BridgeProbe(bridge.id(), true, true, standby ? "standby" : "holder", 1,
                        peers, null));
            }
        }
        return new ProbeRound(atMs, edges, bridges);
    }
}
