package io.heliograph.region.hazelcast;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.topic.ITopic;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/**
 * {@link RegionFabric} on Hazelcast: every node listens on a topic of its own ({@code hg.node.<node-id>}), so a
 * message travels only to the nodes with subscribers; presence events go to one region-wide topic. A topic keeps the
 * order of what one member publishes; the receiving side restores the channel order across publishers.
 */
public final class HazelcastFabric implements RegionFabric {

    private static final String NODE_TOPIC_PREFIX = "hg.node.";
    private static final String PRESENCE_TOPIC = "hg.presence";
    /** Region-wide notices: the id of a node that has just merged back into the region. */
    private static final String MERGED_TOPIC = "hg.region.merged";

    private final HazelcastInstance hz;
    private final String localNodeId;
    private final ConcurrentHashMap<String, ITopic<ChannelMessage>> nodeTopics = new ConcurrentHashMap<>();
    private UUID membershipRegistration;
    private UUID lifecycleRegistration;

    /** A member's node id: its {@link RegionMember#NODE_ATTRIBUTE}, or its UUID for a member without one. */
    static String nodeId(Member member) {
        String id = member.getAttribute(RegionMember.NODE_ATTRIBUTE);
        return id != null ? id : member.getUuid().toString();
    }

    public HazelcastFabric(HazelcastInstance hz) {
        this.hz = hz;
        this.localNodeId = nodeId(hz.getCluster().getLocalMember());
    }

    @Override
    public String localNodeId() {
        return localNodeId;
    }

    @Override
    public Set<String> liveNodes() {
        // Lite members are the region's bridge replicas: no subscribers, no presence, not nodes of the region's edge.
        Set<String> nodes = new LinkedHashSet<>();
        for (Member m : hz.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                nodes.add(nodeId(m));
            }
        }
        return nodes;
    }

    /** The oldest edge node (data member) coordinates; a bridge replica never does, even when it is the oldest. */
    @Override
    public boolean isCoordinator() {
        for (Member m : hz.getCluster().getMembers()) {
            if (!m.isLiteMember()) {
                return m.localMember();
            }
        }
        return false;
    }

    @Override
    public void start(Receiver receiver, Consumer<String> onNodeLeft, Runnable onRejoined, Runnable onRegionMerged) {
        ITopic<ChannelMessage> own = hz.getTopic(NODE_TOPIC_PREFIX + localNodeId);
        own.addMessageListener(message -> receiver.onMessage(message.getMessageObject()));
        ITopic<PresenceEvent> presence = hz.getTopic(PRESENCE_TOPIC);
        presence.addMessageListener(message -> receiver.onPresence(message.getMessageObject()));
        membershipRegistration = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                if (event.getMember().isLiteMember()) {
                    return; // a bridge replica: it held no connections, members or interest
                }
                onNodeLeft.accept(nodeId(event.getMember()));
            }
        });
        ITopic<String> merged = hz.getTopic(MERGED_TOPIC);
        merged.addMessageListener(message -> {
            if (!localNodeId.equals(message.getMessageObject())) {
                Thread.ofVirtual().start(onRegionMerged);
            }
        });
        lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                // Back from a split: the region may have forgotten this node meanwhile. MERGED fires only here, on
                // the members that merged into the other side, once their entries are merged; the others hear it.
                Thread.ofVirtual().start(() -> {
                    try {
                        onRejoined.run();
                    } finally {
                        merged.publish(localNodeId);
                    }
                });
            }
        });
    }

    @Override
    public void deliver(Set<String> nodeIds, ChannelMessage message) {
        for (String nodeId : nodeIds) {
            nodeTopics.computeIfAbsent(nodeId, id -> hz.getTopic(NODE_TOPIC_PREFIX + id)).publish(message);
        }
    }

    @Override
    public void broadcast(PresenceEvent event) {
        hz.<PresenceEvent>getTopic(PRESENCE_TOPIC).publish(event);
    }

    @Override
    public java.util.Map<String, Object> describe() {
        var out = new java.util.LinkedHashMap<String, Object>();
        boolean running = hz.getLifecycleService().isRunning();
        out.put("engine", "hazelcast");
        out.put("running", running);
        if (running) {
            out.put("clusterName", hz.getConfig().getClusterName());
            out.put("clusterState", hz.getCluster().getClusterState().toString());
            out.put("localMember", hz.getCluster().getLocalMember().getAddress().toString());
            // Edge nodes (data members) and bridge replicas (lite members) apart: "members" is the region's nodes.
            out.put("members", liveNodes().size());
            out.put("bridges", hz.getCluster().getMembers().stream().filter(Member::isLiteMember).count());
            out.put("memberAddresses", hz.getCluster().getMembers().stream()
                    .map(m -> m.getAddress().toString()).toList());
            out.put("safe", hz.getPartitionService().isClusterSafe());
        }
        return out;
    }

    @Override
    public void close() {
        if (membershipRegistration != null && hz.getLifecycleService().isRunning()) {
            hz.getCluster().removeMembershipListener(membershipRegistration);
            hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
        }
    }
}
