package io.heliograph.region.hazelcast;

import java.util.List;
import java.util.Objects;

/**
 * What {@link RegionMember} needs to build one embedded member of a region's Hazelcast cluster. The process that
 * embeds the member (an edge node today) fills it from its own configuration.
 *
 * @param nodeId            the configured id of this process in the region; the member attribute adds a per-process
 *                          suffix
 * @param clusterName       the region's Hazelcast cluster name
 * @param host              the address the member binds to and announces
 * @param port              the member's port; 0 picks a free one
 * @param members           {@code host:port} of the members to join (TCP-IP join); empty joins only itself
 * @param presenceTimeoutMs how long the members of a process that stopped answering may stay present: a silent member
 *                          is removed well within it
 */
public record MemberSettings(String nodeId, String clusterName, String host, int port, List<String> members,
                             long presenceTimeoutMs) {

    public MemberSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(host, "host");
        members = List.copyOf(members);
    }
}
