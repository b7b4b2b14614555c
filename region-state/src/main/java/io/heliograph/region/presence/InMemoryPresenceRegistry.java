package io.heliograph.region.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.heliograph.protocol.PresenceMember;

/** A {@link PresenceRegistry} in this JVM's memory: for single-node use and for tests. */
public final class InMemoryPresenceRegistry implements PresenceRegistry {

    private final ConcurrentHashMap<String, ChannelPresence> channels = new ConcurrentHashMap<>();

    private ChannelPresence of(String channel) {
        return channels.computeIfAbsent(channel, ChannelPresence::new);
    }

    @Override
    public PresenceEvent enterOrUpdate(String channel, PresenceMember member, String nodeId) {
        ChannelPresence p = of(channel);
        synchronized (p) {
            return p.enterOrUpdate(member, nodeId);
        }
    }

    @Override
    public PresenceEvent leave(String channel, String connectionId) {
        ChannelPresence p = of(channel);
        synchronized (p) {
            return p.leave(connectionId);
        }
    }

    @Override
    public List<PresenceEvent> membersOf(String region) {
        List<PresenceEvent> events = new java.util.ArrayList<>();
        for (var entry : channels.entrySet()) {
            synchronized (entry.getValue()) {
                for (PresenceMember member : entry.getValue().members()) {
                    if (region.equals(member.region())) {
                        events.add(new PresenceEvent(entry.getKey(), io.heliograph.protocol.PresenceAction.ENTER,
                                member));
                    }
                }
            }
        }
        return events;
    }

    @Override
    public List<PresenceMember> members(String channel) {
        ChannelPresence p = of(channel);
        synchronized (p) {
            return p.members();
        }
    }

    @Override
    public java.util.Set<String> nodesOtherThan(java.util.Set<String> live) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (ChannelPresence p : channels.values()) {
            synchronized (p) {
                out.addAll(p.nodesOtherThan(live));
            }
        }
        return out;
    }

    @Override
    public List<PresenceEvent> forgetNode(String nodeId) {
        List<PresenceEvent> events = new ArrayList<>();
        for (ChannelPresence p : channels.values()) {
            synchronized (p) {
                events.addAll(p.forgetNode(nodeId));
            }
        }
        return events;
    }
}
