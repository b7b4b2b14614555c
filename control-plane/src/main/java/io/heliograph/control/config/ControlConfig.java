package io.heliograph.control.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a control-plane replica is configured with (docs/configuration.md, "Control plane").
 *
 * @param replicaId  this replica's name: the lease holder's name, {@code leader.id} in the mesh table
 * @param host       address the HTTP API binds to
 * @param port       HTTP port ({@code 0}: any free port)
 * @param publicUrl  where other replicas and clients reach this one (forwarded changes, {@code not_leader}); null:
 *                   {@code http://host:port}
 * @param adminToken the token every change needs ({@code HELIOGRAPH_ADMIN_TOKEN}); null: every change is refused
 * @param regions    every region of the mesh, in configuration order
 */
public record ControlConfig(String replicaId, String host, int port, String publicUrl, String adminToken,
                            List<RegionSpec> regions, Probe probe, Failover failover, Route route,
                            Hazelcast hazelcast, long leaseTtlMs, Path auditLog) {

    public ControlConfig {
        regions = List.copyOf(regions);
        Objects.requireNonNull(replicaId, "replicaId");
    }

    /** One edge node as the control plane reaches it and as clients are told to. */
    public record EdgeSpec(String id, String http, String ws) {
    }

    /** One bridge replica: where its {@code /health} (and {@code /metrics}) are served. */
    public record BridgeSpec(String id, String http) {
    }

    /**
     * One region.
     *
     * @param preference the other regions in order of closeness: where its homes and clients go when it is down
     */
    public record RegionSpec(String name, List<EdgeSpec> edges, List<BridgeSpec> bridges, List<String> preference) {
        public RegionSpec {
            edges = List.copyOf(edges);
            bridges = List.copyOf(bridges);
            preference = List.copyOf(preference);
        }
    }

    /**
     * @param intervalMs how often every edge and bridge is probed
     * @param timeoutMs  how long one probe may take (connect and answer)
     * @param metrics    also read each bridge's {@code /metrics} for replication lag
     */
    public record Probe(long intervalMs, long timeoutMs, boolean metrics) {
    }

    /**
     * @param downAfterMs how long every edge of a region must have failed its probes (with a peer agreeing) before
     *                    the region is {@code down}
     * @param auto        fail a {@code down} region over without an operator
     * @param failback    move homes back to a region that comes back (else only {@code /v1/restore} does)
     */
    public record Failover(long downAfterMs, boolean auto, boolean failback) {
    }

    /**
     * @param header        the request header naming the client's region when {@code near} is absent
     * @param defaultRegion the region for a request naming none; null: the first configured region
     */
    public record Route(String header, String defaultRegion) {
    }

    /** The replicas' own Hazelcast cluster (not a region's). */
    public record Hazelcast(String clusterName, String host, int port, List<String> members) {
        public Hazelcast {
            members = List.copyOf(members);
        }
    }

    public Optional<RegionSpec> region(String name) {
        return regions.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public List<String> regionNames() {
        return regions.stream().map(RegionSpec::name).toList();
    }

    /** Where this replica is reached. */
    public String url(int boundPort) {
        return publicUrl != null ? publicUrl : "http://" + host + ":" + boundPort;
    }
}
