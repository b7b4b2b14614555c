package io.heliograph.region.presence;

import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/**
 * Sends the presence changes of this region's own members to every peer region (through the outbound logs the region
 * bridge streams), so that presence is global. Members of other regions are kept in this region's registry under a
 * pseudo node per region ({@link #remoteNode}), which no edge node's departure clean-up touches.
 */
@FunctionalInterface
public interface PresenceReplication {

    /** For a region without peers. */
    PresenceReplication NONE = (event, timestampMs) -> {
    };

    /**
     * @param event a change of a member connected to this region
     * @throws io.heliograph.protocol.HeliographException 503 when a peer's log cannot take it now (the caller's
     *                                                    request is answered 503; entering again is harmless)
     */
    void replicate(PresenceEvent event, long timestampMs);

    /** The node under which the members of {@code region}, another region, are held here. */
    static String remoteNode(String region) {
        return "region:" + region;
    }

    /** Whether {@code nodeId} is the pseudo node of another region's members (never an edge node: ids cannot hold ':'). */
    static boolean isRemoteNode(String nodeId) {
        return nodeId.startsWith("region:");
    }
}
