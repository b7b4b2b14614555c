package io.heliograph.bridge.process;

import io.heliograph.bridge.LinkSettings;
import io.heliograph.bridge.link.LinkTiming;
import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.tls.BridgeTlsFiles;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.hazelcast.MemberSettings;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one bridge replica needs, read and checked once at start-up by {@link BridgeConfigLoader}; every key is
 * in docs/configuration.md ("Region bridge").
 *
 * @param region      this region
 * @param replicaId   this replica, unique in the region (lease holder name, Hello's {@code replica_id}, member id)
 * @param host        where the bridge's gRPC server listens
 * @param port        its port (0: any free one)
 * @param peers       per peer region, its replicas' addresses in the order to try them
 * @param tls         the mutual TLS files; null only with {@code insecure}
 * @param insecure    plaintext between regions (tests and local meshes only)
 * @param hazelcast   the region's cluster, which this replica joins as a lite member
 * @param history     the region's history bounds: the same as its edge nodes', since replicated messages are
 *                    stored with them
 * @param leaseTtlMs  the bridge lease's TTL; a dead holder is replaced within about 4/3 of it
 * @param outbound    the bounds of each peer's outbound log
 * @param timing      how links pace themselves
 * @param settings    keepalive, deadlines and frame size of the gRPC server and channels
 * @param httpHost    where {@code /health} and {@code /metrics} listen
 * @param httpPort    their port (0: any free one)
 * @param presencePeerTimeoutMs a peer region that has not linked for this long has its members removed here
 */
public record BridgeConfig(String region, String replicaId, String host, int port, Map<String, List<PeerAddress>> peers,
                           BridgeTlsFiles tls, boolean insecure, Hazelcast hazelcast, HistoryLimits history,
                           long leaseTtlMs, OutboundLimits outbound, LinkTiming timing, LinkSettings settings,
                           String httpHost, int httpPort, long presencePeerTimeoutMs) {

    public BridgeConfig {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(replicaId, "replicaId");
        peers = Map.copyOf(peers);
    }

    /** The name of the region's bridge lease in {@code hg.leases}: one holder per region links to every peer. */
    public String leaseName() {
        return "bridge." + region;
    }

    /** What {@code RegionMember.config} needs; the member id is the replica id. */
    public MemberSettings memberSettings() {
        return new MemberSettings(replicaId, hazelcast.clusterName(), hazelcast.host(), hazelcast.port(),
                hazelcast.members(), PRESENCE_TIMEOUT_MS);
    }

    /**
     * A bridge keeps no presence of its own; this only paces Hazelcast's failure detection (a third of it, at least
     * 2 s), and is the edge's default so a bridge is suspected as fast as an edge node.
     */
    static final long PRESENCE_TIMEOUT_MS = 15_000;

    /** One replica of a peer region: where its bridge listens. */
    public record PeerAddress(String host, int port, boolean tls) {
        /** As configured and as {@code /health} shows it: {@code https://host:port} or {@code http://host:port}. */
        public String url() {
            return (tls ? "https://" : "http://") + host + ":" + port;
        }
    }

    /** The region's Hazelcast cluster and this member's place in it. */
    public record Hazelcast(String clusterName, String host, int port, List<String> members) {
        public Hazelcast {
            members = List.copyOf(members);
        }
    }
}
