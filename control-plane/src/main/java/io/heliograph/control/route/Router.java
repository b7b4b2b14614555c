package io.heliograph.control.route;

import java.util.List;
import java.util.Map;

import io.heliograph.control.state.RegionHealth;
import io.heliograph.control.table.MeshChanges.Refused;
import io.heliograph.region.mesh.MeshTable;
import io.heliograph.region.mesh.RegionState;

/**
 * Answers where a client goes: the region it names ({@code near}) when that serves, else the first of its preference
 * that serves; without {@code near}, the region the routing header names (set by a CDN or load balancer; an unknown
 * value is ignored), then the default region. A region serves when at least one of its edges answers ready and the
 * table has it neither {@code down} nor {@code draining}. The answer has the shape of the edge's {@code negotiate}
 * ({@link MeshTable.Route}: the region, why it was chosen, its serving edges and the table version it came from).
 */
public final class Router {

    private final String defaultRegion;

    public Router(String defaultRegion) {
        this.defaultRegion = defaultRegion;
    }

    /**
     * @param near   the {@code near} parameter; null when absent
     * @param header the routing header's value; null when absent
     * @throws Refused 400 {@code unknown_region} for an unknown {@code near}, 503 {@code no_healthy_region}
     */
    public MeshTable.Route route(MeshTable table, Map<String, RegionHealth> health, String near, String header) {
        String wanted;
        String reason;
        if (near != null && !near.isBlank()) {
            if (!table.regions().containsKey(near)) {
                throw new Refused(400, "unknown_region", "near: unknown region '" + near + "'; known: "
                        + table.regions().keySet());
            }
            wanted = near;
            reason = "near";
        } else if (header != null && table.regions().containsKey(header.trim())) {
            wanted = header.trim();
            reason = "header";
        } else {
            wanted = defaultRegion;
            reason = "default";
        }
        if (serves(table, health, wanted)) {
            return answer(table, health, wanted, reason);
        }
        for (String next : table.preference().getOrDefault(wanted, List.of())) {
            if (serves(table, health, next)) {
                return answer(table, health, next, "preference");
            }
        }
        throw new Refused(503, "no_healthy_region", "neither " + wanted + " nor any region of its preference "
                + table.preference().getOrDefault(wanted, List.of()) + " serves");
    }

    public static boolean serves(MeshTable table, Map<String, RegionHealth> health, String region) {
        RegionHealth h = health.get(region);
        RegionState state = table.stateOf(region);
        return h != null && h.serving() && state != RegionState.DOWN && state != RegionState.DRAINING;
    }

    private static MeshTable.Route answer(MeshTable table, Map<String, RegionHealth> health, String region, String reason) {
        List<String> serving = health.get(region).servingEdges();
        List<MeshTable.EdgeAddress> edges = table.regions().get(region).edges().stream()
                .filter(e -> serving.contains(e.id())).toList();
        return new MeshTable.Route(region, reason, edges, table.version());
    }
}
