package io.heliograph.region.fabric;

import java.util.HashSet;
import java.util.Set;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.region.channel.AppendResult;

/**
 * The one owner of sending a sequenced message on its way: to every live node of the region with subscribers for its
 * channel, this one straight to its own receiver (the edge's delivery hub: a message for local subscribers never takes a round trip
 * through the region's topics: no serialisation, no hop onto the engine's single listener thread), the others over
 * the {@link RegionFabric}. A publish on this node and, later, a message replicated from another region both leave
 * through here. It lives with the region's state so that the region bridge's inbound path uses the same owner.
 */
public final class FanOut {

    private final RegionFabric fabric;
    private final RegionFabric.Receiver local;

    /**
     * @param local this node's receiver, reached directly; null to send to this node over the fabric as well
     */
    public FanOut(RegionFabric fabric, RegionFabric.Receiver local) {
        this.fabric = fabric;
        this.local = local;
    }

    /**
     * Sends an appended message to the nodes that had interest when it was sequenced and are still members. A
     * duplicate that is still in history is sent again too: it is usually the retry of a publish whose node
     * sequenced it and died before sending it on; dispatchers drop what they already delivered.
     */
    public void send(AppendResult result) {
        if (result.stored()) {
            send(result.interestedNodes(), result.message());
        }
    }

    /** Sends {@code message} to those of {@code interestedNodes} that are live members of the region. */
    public void send(Set<String> interestedNodes, ChannelMessage message) {
        if (interestedNodes.isEmpty()) {
            return;
        }
        Set<String> targets = new HashSet<>(interestedNodes);
        targets.retainAll(fabric.liveNodes());
        if (local != null && targets.remove(fabric.localNodeId())) {
            local.onMessage(message);
        }
        if (!targets.isEmpty()) {
            fabric.deliver(targets, message);
        }
    }
}
