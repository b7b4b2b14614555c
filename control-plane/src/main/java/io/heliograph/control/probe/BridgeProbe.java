package io.heliograph.control.probe;

import java.util.Map;

/**
 * One bridge replica's answer to {@code GET /health} (and {@code /metrics} for lag), or its absence.
 *
 * @param up    its status is UP (joined to its region's cluster)
 * @param role  {@code holder} or {@code standby}; only a holder links, so only a holder's view of a link counts
 * @param peers per peer region, the replica's link to it
 */
public record BridgeProbe(String bridgeId, boolean reachable, boolean up, String role, long leaseEpoch,
                          Map<String, PeerLink> peers, String error) {

    public static final String HOLDER = "holder";
    /** A link's state while it streams to its peer: the bridge's {@code LinkState.STREAMING}. */
    public static final String CONNECTED = "STREAMING";

    public BridgeProbe {
        peers = Map.copyOf(peers);
    }

    public static BridgeProbe failed(String bridgeId, String error) {
        return new BridgeProbe(bridgeId, false, false, "", 0, Map.of(), error);
    }

    /**
     * A link to one peer region as the replica reports it.
     *
     * @param lagMessages entries not yet acknowledged by the peer; -1 unknown
     * @param lagMs       how long the oldest of them has waited; -1 unknown
     */
    public record PeerLink(String link, String circuit, long lagMessages, long lagMs) {
        public PeerLink withLag(long messages, long ms) {
            return new PeerLink(link, circuit, messages, ms);
        }
    }

    /** Reachable, UP and holding its region's bridge lease: its links are the region's. */
    public boolean speaksForRegion() {
        return reachable && up && HOLDER.equals(role);
    }

    /** True when this replica speaks for its region and reports its link to {@code peer} as not connected. */
    public boolean reportsLinkDown(String peer) {
        PeerLink link = peers.get(peer);
        return speaksForRegion() && link != null && !CONNECTED.equals(link.link());
    }
}
