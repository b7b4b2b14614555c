package io.heliograph.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which edge nodes a local mesh runs and on which ports: HTTP API ports {@code basePort, basePort+1, ...}, WebSocket
 * ports {@code basePort+500, basePort+501, ...} and Hazelcast ports {@code basePort+1000, basePort+1001, ...},
 * numbered across all regions. Each region is its own
 * Hazelcast cluster ({@code heliograph-<region>}) whose members are that region's nodes only.
 */
public record MeshPlan(List<NodeSpec> nodes) {

    /** Offset between a node's HTTP port and its Hazelcast port. */
    public static final int HAZELCAST_PORT_OFFSET = 1000;
    /** Offset between a node's HTTP port and its WebSocket port; also the most nodes a plan may hold. */
    public static final int WS_PORT_OFFSET = 500;
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");

    /** One edge node of the plan; {@link EdgeProcess.Builder#spec(NodeSpec)} turns it into the node's flags. */
    public record NodeSpec(String region, String nodeId, String host, int httpPort, int wsPort, int hazelcastPort,
                           String clusterName, List<String> members) {
    }

    public MeshPlan {
        nodes = List.copyOf(nodes);
    }

    public static MeshPlan create(List<String> regions, int nodesPerRegion, int basePort) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("--regions: at least one region is needed");
        }
        if (regions.stream().distinct().count() != regions.size()) {
            throw new IllegalArgumentException("--regions: each region may appear once, got " + regions);
        }
        for (String region : regions) {
            if (!REGION.matcher(region).matches()) {
                throw new IllegalArgumentException("--regions: '" + region + "' must match " + REGION.pattern());
            }
        }
        if (nodesPerRegion < 1 || nodesPerRegion > 50) {
            throw new IllegalArgumentException("--nodes: " + nodesPerRegion + " is outside 1..50");
        }
        int total = regions.size() * nodesPerRegion;
        if (total > WS_PORT_OFFSET) {
            throw new IllegalArgumentException("at most " + WS_PORT_OFFSET + " nodes in one mesh, asked for " + total);
        }
        if (basePort < 1024 || basePort + HAZELCAST_PORT_OFFSET + total - 1 > 65535) {
            throw new IllegalArgumentException("--base-port: " + basePort + " leaves no room for " + total
                    + " nodes (needs ports " + basePort + ".." + (basePort + HAZELCAST_PORT_OFFSET + total - 1) + ")");
        }
        String host = "127.0.0.1";
        List<NodeSpec> nodes = new ArrayList<>();
        int index = 0;
        for (String region : regions) {
            List<String> members = new ArrayList<>();
            for (int i = 0; i < nodesPerRegion; i++) {
                members.add(host + ":" + (basePort + HAZELCAST_PORT_OFFSET + index + i));
            }
            for (int i = 0; i < nodesPerRegion; i++) {
                nodes.add(new NodeSpec(region, region + "-" + (i + 1), host, basePort + index + i,
                        basePort + WS_PORT_OFFSET + index + i,
                        basePort + HAZELCAST_PORT_OFFSET + index + i, "heliograph-" + region, members));
            }
            index += nodesPerRegion;
        }
        return new MeshPlan(nodes);
    }

    /** Every TCP port the plan listens on. */
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        nodes.forEach(n -> {
            ports.add(n.httpPort());
            ports.add(n.wsPort());
            ports.add(n.hazelcastPort());
        });
        return ports;
    }
}
