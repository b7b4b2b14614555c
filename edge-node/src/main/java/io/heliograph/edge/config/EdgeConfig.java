package io.heliograph.edge.config;

import java.util.List;
import java.util.Objects;

import io.heliograph.region.hazelcast.MemberSettings;
import io.heliograph.region.sequencing.HomeRule;

/**
 * The one typed configuration of an edge node, read once at start-up and validated (docs/configuration.md lists
 * every key).
 */
public record EdgeConfig(
        String region,
        String nodeId,
        String host,
        int port,
        int wsPort,
        String publicWsUrl,
        String jwtSecret,
        String adminToken,
        HazelcastSettings hazelcast,
        Limits limits,
        HistorySettings history,
        long presenceTimeoutMs,
        long dedupWindowMs,
        long heartbeatMs,
        long shutdownGraceMs,
        int warmupIterations,
        int warmupConnections,
        Replication replication,
        long pauseFenceMs) {

    public EdgeConfig {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(nodeId, "nodeId");
    }

    /** Whether the control plane's admin calls are taken (an admin token is configured). */
    public boolean adminEnabled() {
        return adminToken != null && !adminToken.isEmpty();
    }

    /** What the embedded Hazelcast member of this node is built from. */
    public MemberSettings memberSettings() {
        return new MemberSettings(nodeId, hazelcast.clusterName(), hazelcast.host(), hazelcast.port(),
                hazelcast.members(), presenceTimeoutMs);
    }

    /**
     * The regions this region replicates to (its bridges' peers): every sequenced message goes into an outbound log per
     * peer, and a {@code global} publish waits up to {@code globalTimeoutMs} for one of them to hold it. No peers: a
     * region of its own, with region durability only. {@code homes} overrides, by channel pattern, the home every
     * region computes for a channel (rendezvous hashing over this region and its peers).
     */
    public record Replication(List<String> peers, long globalTimeoutMs, List<HomeRule> homes,
                              DurabilityRules durabilityDefaults) {
        public Replication {
            peers = List.copyOf(peers);
            homes = List.copyOf(homes);
        }

        /** This region and its peers: the regions the home table ranks. */
        public List<String> regions(String region) {
            List<String> all = new java.util.ArrayList<>(peers);
            all.add(region);
            return all;
        }
    }

    /** Embedded Hazelcast member: one cluster per region, TCP-IP join, multicast off. */
    public record HazelcastSettings(String clusterName, String host, int port, List<String> members) {
    }

    /** Per-connection limits; every refusal is answered with its documented error and counted. */
    public record Limits(int maxMessageBytes, int maxFrameBytes, double ratePerSecond, int rateBurst,
                         int maxChannelsPerConnection, int outboundQueueFrames, long outboundQueueBytes,
                         int maxConnections) {
    }

    /** Bounded message history per channel, by count and age. */
    public record HistorySettings(int maxMessages, long maxAgeMs) {
    }
}
