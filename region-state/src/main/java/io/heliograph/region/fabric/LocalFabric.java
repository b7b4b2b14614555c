package io.heliograph.region.fabric;

import java.util.Set;
import java.util.function.Consumer;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/** A region of one node, for tests and single-node use: everything is delivered straight back to this node. */
public final class LocalFabric implements RegionFabric {

    public static final String NODE_ID = "local";
    private volatile Receiver receiver;

    @Override
    public String localNodeId() {
        return NODE_ID;
    }

    @Override
    public Set<String> liveNodes() {
        return Set.of(NODE_ID);
    }

    @Override
    public boolean isCoordinator() {
        return true;
    }

    @Override
    public void start(Receiver receiver, Consumer<String> onNodeLeft, Runnable onRejoined, Runnable onRegionMerged) {
        this.receiver = receiver;
    }

    @Override
    public void deliver(Set<String> nodeIds, ChannelMessage message) {
        if (nodeIds.contains(NODE_ID)) {
            receiver.onMessage(message);
        }
    }

    @Override
    public void broadcast(PresenceEvent event) {
        receiver.onPresence(event);
    }

    @Override
    public java.util.Map<String, Object> describe() {
        return java.util.Map.of("engine", "local", "members", 1, "running", true);
    }

    @Override
    public void close() {
    }
}
