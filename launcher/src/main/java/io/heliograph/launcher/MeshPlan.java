package io.heliograph.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which processes a local mesh runs and on which ports. Each region is its own Hazelcast cluster
 * ({@code heliograph-<region>}) whose data members are that region's edge nodes; its bridge replicas join it as lite
 * members. With base port P, numbered across all regions in plan order:
 *
 * <table>
 * <caption>Port ranges</caption>
 * <tr><th>ports</th><th>what</th></tr>
 * <tr><td>P .. P+499</td><td>edge nodes' HTTP (API, {@code /health}, {@code /metrics}); at most 500 edge
 * nodes</td></tr>
 * <tr><td>P+500 .. P+999</td><td>edge nodes' WebSocket</td></tr>
 * <tr><td>P+1000 .. P+1499</td><td>edge nodes' Hazelcast members</td></tr>
 * <tr><td>P+1500 .. P+1599</td><td>bridge replicas' gRPC ({@code RegionBridge}, mutual TLS); at most 100
 * replicas</td></tr>
 * <tr><td>P+1600 .. P+1699</td><td>bridge replicas' HTTP ({@code /health}, {@code /metrics})</td></tr>
 * <tr><td>P+1700 .. P+1799</td><td>bridge replicas' Hazelcast (lite) members</td></tr>
 * <tr><td>P+1800 .. P+1999</td><td>WAN proxies, one in front of each replica per region that dials it, only with
 * {@link Builder#wanProxies(long)}; at most 200</td></tr>
 * <tr><td>P+2000 .. P+2049</td><td>control-plane replicas' HTTP API; at most 50</td></tr>
 * <tr><td>P+2050 .. P+2099</td><td>control-plane replicas' own Hazelcast cluster ({@code hg-control})</td></tr>
 * </table>
 *
 * <p>With two or more regions and at least one bridge replica per region, every edge node is given every other
 * region as a peer (it writes an outbound log per peer and gives {@code global} durability), and every replica is
 * given, per other region, the URLs of that region's replicas in replica order (the proxies' URLs when there are
 * proxies). One region, or {@code bridgesPerRegion} 0: no bridges and no peers, each region on its own.
 *
 * @param nodes      the edge nodes, region by region
 * @param bridges    the bridge replicas, region by region (started once their region's edge nodes are up)
 * @param wanLinks   the WAN proxies; empty unless asked for
 * @param wanDelayMs    the one-way delay each WAN proxy adds
 * @param controlPlanes the control-plane replicas (none unless asked for; {@code ./mesh up} asks for one)
 */
public record MeshPlan(List<NodeSpec> nodes, List<BridgeSpec> bridges, List<WanLinkSpec> wanLinks, long wanDelayMs,
                       List<ControlPlaneSpec> controlPlanes) {

    /** Offset between a node's HTTP port and its WebSocket port; also the most edge nodes a plan may hold. */
    public static final int WS_PORT_OFFSET = 500;
    /** Offset between a node's HTTP port and its Hazelcast port. */
    public static final int HAZELCAST_PORT_OFFSET = 1000;
    /** First bridge gRPC port, from the base port. */
    public static final int BRIDGE_GRPC_PORT_OFFSET = 1500;
    /** First bridge HTTP port, from the base port. */
    public static final int BRIDGE_HTTP_PORT_OFFSET = 1600;
    /** First bridge Hazelcast port, from the base port. */
    public static final int BRIDGE_HAZELCAST_PORT_OFFSET = 1700;
    /** First WAN proxy port, from the base port. */
    public static final int WAN_PROXY_PORT_OFFSET = 1800;
    /** The most bridge replicas in one mesh: the width of each bridge port range. */
    public static final int MAX_BRIDGES = 100;
    /** The most WAN proxies in one mesh. */
    public static final int MAX_WAN_PROXIES = 200;
    /** The most bridge replicas per region: one holds the region's bridge lease, the others stand by. */
    public static final int MAX_BRIDGES_PER_REGION = 4;
    /** First control-plane HTTP port, from the base port. */
    public static final int CONTROL_HTTP_PORT_OFFSET = 2000;
    /** First control-plane Hazelcast port, from the base port. */
    public static final int CONTROL_HAZELCAST_PORT_OFFSET = 2050;
    /** The most control-plane replicas in one mesh. */
    public static final int MAX_CONTROL_PLANES = 50;
    /** The largest one-way delay a WAN proxy may add. */
    public static final long MAX_WAN_DELAY_MS = 10_000;
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");
    private static final String HOST = "127.0.0.1";

    /**
     * One edge node of the plan; {@link EdgeProcess.Builder#spec(NodeSpec)} turns it into the node's flags.
     *
     * @param peers the other regions this node's region replicates to (empty: none)
     */
    public record NodeSpec(String region, String nodeId, String host, int httpPort, int wsPort, int hazelcastPort,
                           String clusterName, List<String> members, List<String> peers) {
        public NodeSpec {
            members = List.copyOf(members);
            peers = List.copyOf(peers);
        }
    }

    /**
     * One bridge replica of the plan; {@link RegionBridgeProcess.Builder#spec(BridgeSpec)} turns it into its flags.
     *
     * @param members the region's edge nodes' Hazelcast addresses, which the replica joins as a lite member
     * @param peers   per other region, in plan order, the URLs this replica dials, in the order to try them
     */
    public record BridgeSpec(String region, String replicaId, String host, int grpcPort, int httpPort,
                             int hazelcastPort, String clusterName, List<String> members,
                             Map<String, List<String>> peers) {
        public BridgeSpec {
            members = List.copyOf(members);
            Map<String, List<String>> copy = new LinkedHashMap<>();
            peers.forEach((peer, urls) -> copy.put(peer, List.copyOf(urls)));
            peers = Collections.unmodifiableMap(copy);
        }

        /** Where the replica's gRPC server listens, as it prints it: {@code https://host:port}. */
        public String url() {
            return "https://" + host + ":" + grpcPort;
        }
    }

    /**
     * A WAN proxy: listens on {@code host:port} and forwards to replica {@code toReplicaId} of {@code toRegion},
     * for the replicas of {@code fromRegion}, which dial it instead of the replica.
     */
    public record WanLinkSpec(String fromRegion, String toRegion, String toReplicaId, String host, int port,
                              int targetPort) {
        /** What the dialling replicas are given as the peer's URL. */
        public String url() {
            return "https://" + host + ":" + port;
        }
    }

    /**
     * One control-plane replica of the plan; {@link ControlPlaneProcess.Builder#spec(ControlPlaneSpec)} turns it into
     * its flags. Every replica watches every region of the plan.
     *
     * @param members every replica's Hazelcast address: the replicas form their own cluster
     */
    public record ControlPlaneSpec(String replicaId, String host, int httpPort, int hazelcastPort,
                                   String clusterName, List<String> members) {
        public ControlPlaneSpec {
            members = List.copyOf(members);
        }

        /** Where the replica's API is reached, as it announces it. */
        public String url() {
            return "http://" + host + ":" + httpPort;
        }
    }

    public MeshPlan {
        nodes = List.copyOf(nodes);
        bridges = List.copyOf(bridges);
        wanLinks = List.copyOf(wanLinks);
        controlPlanes = List.copyOf(controlPlanes);
    }

    /** A plan without control planes. */
    public MeshPlan(List<NodeSpec> nodes, List<BridgeSpec> bridges, List<WanLinkSpec> wanLinks, long wanDelayMs) {
        this(nodes, bridges, wanLinks, wanDelayMs, List.of());
    }

    /**
     * The preference of {@code region} for the control plane: the other regions in plan order (a local mesh has no
     * distances to order them by).
     */
    public List<String> preferenceOf(String region) {
        return regions().stream().filter(r -> !r.equals(region)).toList();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code nodesPerRegion} edge nodes per region, one bridge replica per region when there are two or more. */
    public static MeshPlan create(List<String> regions, int nodesPerRegion, int basePort) {
        return builder().regions(regions).nodesPerRegion(nodesPerRegion).basePort(basePort).build();
    }

    /** The plan's regions, in order. */
    public List<String> regions() {
        return nodes.stream().map(NodeSpec::region).distinct().toList();
    }

    /** The edge nodes of {@code region}. */
    public List<NodeSpec> nodesOf(String region) {
        return nodes.stream().filter(n -> n.region().equals(region)).toList();
    }

    /** The bridge replicas of {@code region}. */
    public List<BridgeSpec> bridgesOf(String region) {
        return bridges.stream().filter(b -> b.region().equals(region)).toList();
    }

    /** Every TCP port the plan listens on. */
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        nodes.forEach(n -> {
            ports.add(n.httpPort());
            ports.add(n.wsPort());
            ports.add(n.hazelcastPort());
        });
        bridges.forEach(b -> {
            ports.add(b.grpcPort());
            ports.add(b.httpPort());
            ports.add(b.hazelcastPort());
        });
        wanLinks.forEach(l -> ports.add(l.port()));
        controlPlanes.forEach(c -> {
            ports.add(c.httpPort());
            ports.add(c.hazelcastPort());
        });
        return ports;
    }

    /** What a plan is made from; every value is checked in {@link #build()}, with the flag it came from named. */
    public static final class Builder {
        private List<String> regions = List.of("us-east");
        private int nodesPerRegion = 2;
        private int bridgesPerRegion = 1;
        private int basePort = 8080;
        private boolean wanProxies;
        private long wanDelayMs;
        private int controlPlanes;

        private Builder() {
        }

        /** Control-plane replicas watching the mesh (0 by default: none). */
        public Builder controlPlanes(int controlPlanes) {
            this.controlPlanes = controlPlanes;
            return this;
        }

        public Builder regions(List<String> regions) {
            this.regions = List.copyOf(regions);
            return this;
        }

        public Builder nodesPerRegion(int nodesPerRegion) {
            this.nodesPerRegion = nodesPerRegion;
            return this;
        }

        /** Bridge replicas per region (1 by default; 2 is the holder/standby layout; 0: regions on their own). */
        public Builder bridgesPerRegion(int bridgesPerRegion) {
            this.bridgesPerRegion = bridgesPerRegion;
            return this;
        }

        public Builder basePort(int basePort) {
            this.basePort = basePort;
            return this;
        }

        /**
         * A TCP proxy in front of every replica per region that dials it, adding {@code delayMs} one way (0: none,
         * the proxies only let a test cut links). Needs bridges.
         */
        public Builder wanProxies(long delayMs) {
            this.wanProxies = true;
            this.wanDelayMs = delayMs;
            return this;
        }

        public MeshPlan build() {
            validate();
            boolean bridged = regions.size() > 1 && bridgesPerRegion > 0;
            List<NodeSpec> nodes = new ArrayList<>();
            List<BridgeSpec> bridges = new ArrayList<>();
            List<WanLinkSpec> links = new ArrayList<>();
            Map<String, List<String>> members = new LinkedHashMap<>();
            int index = 0;
            for (String region : regions) {
                List<String> regionMembers = new ArrayList<>();
                for (int i = 0; i < nodesPerRegion; i++) {
                    regionMembers.add(HOST + ":" + (basePort + HAZELCAST_PORT_OFFSET + index + i));
                }
                members.put(region, regionMembers);
                List<String> peers = bridged ? others(region) : List.of();
                for (int i = 0; i < nodesPerRegion; i++) {
                    nodes.add(new NodeSpec(region, region + "-" + (i + 1), HOST, basePort + index + i,
                            basePort + WS_PORT_OFFSET + index + i, basePort + HAZELCAST_PORT_OFFSET + index + i,
                            clusterName(region), regionMembers, peers));
                }
                index += nodesPerRegion;
            }
            List<ControlPlaneSpec> control = controlPlaneSpecs();
            if (!bridged) {
                return new MeshPlan(nodes, List.of(), List.of(), 0, control);
            }
            // Where each replica listens, before the peers lists that name them.
            Map<String, List<Integer>> grpcPorts = new LinkedHashMap<>();
            int bridgeIndex = 0;
            for (String region : regions) {
                List<Integer> ports = new ArrayList<>();
                for (int i = 0; i < bridgesPerRegion; i++) {
                    ports.add(basePort + BRIDGE_GRPC_PORT_OFFSET + bridgeIndex++);
                }
                grpcPorts.put(region, ports);
            }
            // Per dialling region, per peer replica: the proxy it dials instead, when there are proxies.
            Map<String, Map<String, List<String>>> peerUrls = new LinkedHashMap<>();
            int proxyIndex = 0;
            for (String from : regions) {
                Map<String, List<String>> urls = new LinkedHashMap<>();
                for (String to : others(from)) {
                    List<String> toUrls = new ArrayList<>();
                    for (int i = 0; i < bridgesPerRegion; i++) {
                        int target = grpcPorts.get(to).get(i);
                        if (wanProxies) {
                            WanLinkSpec link = new WanLinkSpec(from, to, replicaId(to, i), HOST,
                                    basePort + WAN_PROXY_PORT_OFFSET + proxyIndex++, target);
                            links.add(link);
                            toUrls.add(link.url());
                        } else {
                            toUrls.add("https://" + HOST + ":" + target);
                        }
                    }
                    urls.put(to, toUrls);
                }
                peerUrls.put(from, urls);
            }
            bridgeIndex = 0;
            for (String region : regions) {
                for (int i = 0; i < bridgesPerRegion; i++) {
                    bridges.add(new BridgeSpec(region, replicaId(region, i), HOST, grpcPorts.get(region).get(i),
                            basePort + BRIDGE_HTTP_PORT_OFFSET + bridgeIndex,
                            basePort + BRIDGE_HAZELCAST_PORT_OFFSET + bridgeIndex, clusterName(region),
                            members.get(region), peerUrls.get(region)));
                    bridgeIndex++;
                }
            }
            return new MeshPlan(nodes, bridges, links, wanDelayMs, control);
        }

        private List<ControlPlaneSpec> controlPlaneSpecs() {
            List<String> members = new ArrayList<>();
            for (int i = 0; i < controlPlanes; i++) {
                members.add(HOST + ":" + (basePort + CONTROL_HAZELCAST_PORT_OFFSET + i));
            }
            List<ControlPlaneSpec> specs = new ArrayList<>();
            for (int i = 0; i < controlPlanes; i++) {
                specs.add(new ControlPlaneSpec("cp-" + (i + 1), HOST, basePort + CONTROL_HTTP_PORT_OFFSET + i,
                        basePort + CONTROL_HAZELCAST_PORT_OFFSET + i, "hg-control", members));
            }
            return specs;
        }

        private List<String> others(String region) {
            return regions.stream().filter(r -> !r.equals(region)).toList();
        }

        private void validate() {
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
                throw new IllegalArgumentException("at most " + WS_PORT_OFFSET + " edge nodes in one mesh, asked for "
                        + total);
            }
            if (bridgesPerRegion < 0 || bridgesPerRegion > MAX_BRIDGES_PER_REGION) {
                throw new IllegalArgumentException("--bridges: " + bridgesPerRegion + " is outside 0.."
                        + MAX_BRIDGES_PER_REGION);
            }
            boolean bridged = regions.size() > 1 && bridgesPerRegion > 0;
            int bridges = bridged ? regions.size() * bridgesPerRegion : 0;
            if (bridges > MAX_BRIDGES) {
                throw new IllegalArgumentException("at most " + MAX_BRIDGES + " bridge replicas in one mesh, asked for "
                        + bridges + " (" + regions.size() + " regions x --bridges " + bridgesPerRegion + ")");
            }
            int proxies = 0;
            if (wanProxies) {
                if (wanDelayMs < 0 || wanDelayMs > MAX_WAN_DELAY_MS) {
                    throw new IllegalArgumentException("--wan-delay-ms: " + wanDelayMs + " is outside 0.."
                            + MAX_WAN_DELAY_MS);
                }
                if (!bridged) {
                    throw new IllegalArgumentException("--wan-delay-ms: WAN links need two or more regions with"
                            + " bridges (--regions a,b and --bridges 1 or more)");
                }
                proxies = bridges * (regions.size() - 1);
                if (proxies > MAX_WAN_PROXIES) {
                    throw new IllegalArgumentException("--wan-delay-ms: at most " + MAX_WAN_PROXIES + " WAN proxies,"
                            + " and " + regions.size() + " regions with " + bridgesPerRegion + " bridge(s) each need "
                            + proxies);
                }
            }
            if (controlPlanes < 0 || controlPlanes > MAX_CONTROL_PLANES) {
                throw new IllegalArgumentException("--control-planes: " + controlPlanes + " is outside 0.."
                        + MAX_CONTROL_PLANES);
            }
            int highest = controlPlanes > 0 ? basePort + CONTROL_HAZELCAST_PORT_OFFSET + controlPlanes - 1
                    : proxies > 0 ? basePort + WAN_PROXY_PORT_OFFSET + proxies - 1
                    : bridges > 0 ? basePort + BRIDGE_HAZELCAST_PORT_OFFSET + bridges - 1
                    : basePort + HAZELCAST_PORT_OFFSET + total - 1;
            if (basePort < 1024 || highest > 65535) {
                throw new IllegalArgumentException("--base-port: " + basePort + " leaves no room for " + total
                        + " edge node(s), " + bridges + " bridge replica(s), " + proxies + " WAN proxies and "
                        + controlPlanes + " control-plane replica(s) (needs"
                        + " ports " + basePort + ".." + highest + ", within 1024..65535)");
            }
        }

        private static String clusterName(String region) {
            return "heliograph-" + region;
        }

        private static String replicaId(String region, int replica) {
            return region + "-b" + (replica + 1);
        }
    }
}
