package io.heliograph.control.state;

import java.util.List;

import io.heliograph.region.mesh.RegionState;

/**
 * What the probes say of one region at one instant (the table may say more: {@code draining} is an operator's).
 *
 * @param observed        {@code healthy}, {@code degraded} or {@code down}; never {@code draining}
 * @param servingEdges    the edges answering ready and not draining, in configuration order
 * @param allFailingSince when every edge started failing, by the injected clock; -1 while one answers
 * @param peersReporting  the other regions' bridges (holders) that report their link to this region not connected
 */
public record RegionHealth(String region, RegionState observed, List<String> servingEdges, long allFailingSince,
                           List<String> peersReporting) {

    public RegionHealth {
        servingEdges = List.copyOf(servingEdges);
        peersReporting = List.copyOf(peersReporting);
    }

    /** Clients may be sent here: at least one edge serves. */
    public boolean serving() {
        return !servingEdges.isEmpty() && observed != RegionState.DOWN;
    }
}
