package io.heliograph.region.fabric;

import java.util.Set;
import java.util.function.Consumer;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/**
 * What connects the nodes of a region: who is alive, and the links that carry sequenced messages to the nodes with
 * subscribers and presence events to every node.
 */
public interface RegionFabric extends AutoCloseable {

    /** Receives what other nodes (and this one) send to this node. Called on engine threads: must not block. */
    interface Receiver {
        void onMessage(ChannelMessage message);

        void onPresence(PresenceEvent event);
    }

    String localNodeId();

    Set<String> liveNodes();

    /** True on exactly one live node: the one that cleans up after nodes that leave. */
    boolean isCoordinator();

    /**
     * @param onNodeLeft     called with the id of a node that left the region
     * @param onRejoined     called when this node rejoined its region after a split (its interest may be forgotten)
     * @param onRegionMerged called on the other nodes once a node has rejoined: the channels merged from its side may
     *                       have won with the interest that side knew, and their history may hold messages this node
     *                       never saw
     */
    void start(Receiver receiver, Consumer<String> onNodeLeft, Runnable onRejoined, Runnable onRegionMerged);

    /** Sends a sequenced message to each of the given nodes (this one included when listed). */
    void deliver(Set<String> nodeIds, ChannelMessage message);

    void broadcast(PresenceEvent event);

    /** What /health reports about the region cluster (name, members, state). */
    java.util.Map<String, Object> describe();

    @Override
    void close();
}
