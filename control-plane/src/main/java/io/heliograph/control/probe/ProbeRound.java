package io.heliograph.control.probe;

import java.util.Map;

/** What one probe cycle found, taken at {@code atMs} (the cycle's start, by the injected clock). */
public record ProbeRound(long atMs, Map<String, EdgeProbe> edges, Map<String, BridgeProbe> bridges) {

    public ProbeRound {
        edges = Map.copyOf(edges);
        bridges = Map.copyOf(bridges);
    }

    public static ProbeRound empty(long atMs) {
        return new ProbeRound(atMs, Map.of(), Map.of());
    }

    public EdgeProbe edge(String id) {
        return edges.getOrDefault(id, EdgeProbe.failed(id, "not probed yet"));
    }

    public BridgeProbe bridge(String id) {
        return bridges.getOrDefault(id, BridgeProbe.failed(id, "not probed yet"));
    }
}
