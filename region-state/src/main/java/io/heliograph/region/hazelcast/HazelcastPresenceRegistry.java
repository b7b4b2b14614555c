package io.heliograph.region.hazelcast;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.heliograph.protocol.PresenceMember;
import io.heliograph.region.presence.ChannelPresence;
import io.heliograph.region.presence.PresenceRegistry;

/** {@link PresenceRegistry} on a Hazelcast IMap keyed by channel; every change is an entry processor. */
public final class HazelcastPresenceRegistry implements PresenceRegistry {

    private final IMap<String, ChannelPresence> channels;
    private final RegionCalls calls;

    public HazelcastPresenceRegistry(HazelcastInstance hz) {
        this(hz, RegionCalls.uncounted());
    }

    public HazelcastPresenceRegistry(HazelcastInstance hz, RegionCalls calls) {
        this.channels = hz.getMap(RegionMember.PRESENCE_MAP);
        this.calls = calls;
    }

    @Override
    public PresenceEvent enterOrUpdate(String channel, PresenceMember member, String nodeId) {
        return call(channel, new Enter(member, nodeId));
    }

    @Override
    public PresenceEvent leave(String channel, String connectionId) {
        return call(channel, new Leave(connectionId));
    }

    @Override
    public List<PresenceMember> members(String channel) {
        return call(channel, new Members()).members();
    }

    @Override
    public List<PresenceEvent> forgetNode(String nodeId) {
        List<PresenceEvent> events = new ArrayList<>();
        for (Serializers.EventList list
                : calls.callPatiently(() -> channels.executeOnEntries(new ForgetNode(nodeId))).values()) {
            if (list != null) {
                events.addAll(list.events());
            }
        }
        return events;
    }

    @Override
    public List<PresenceEvent> membersOf(String region) {
        List<PresenceEvent> events = new ArrayList<>();
        var perChannel = calls.call(() -> channels.executeOnEntries(new MembersOf(region)));
        for (var entry : perChannel.entrySet()) {
            if (entry.getValue() != null) {
                for (PresenceMember member : entry.getValue().members()) {
                    events.add(new PresenceEvent(entry.getKey(), io.heliograph.protocol.PresenceAction.ENTER,
                            member));
                }
            }
        }
        return events;
    }

    @Override
    public java.util.Set<String> nodesOtherThan(java.util.Set<String> live) {
        return HazelcastChannelLog.union(calls.call(() -> channels.executeOnEntries(new NodesOtherThan(live)))
                .values());
    }

    private <R> R call(String channel, EntryProcessor<String, ChannelPresence, R> processor) {
        return calls.onKeyPatiently(channels, channel, processor);
    }

    private static void store(Map.Entry<String, ChannelPresence> entry, ChannelPresence presence) {
        if (presence.isEmpty()) {
            entry.setValue(null);
        } else {
            entry.setValue(presence);
        }
    }

    public static final class Enter
            implements EntryProcessor<String, ChannelPresence, PresenceEvent>, DataSerializable {
        private PresenceMember member;
        private String nodeId;

        public Enter() {
        }

        Enter(PresenceMember member, String nodeId) {
            this.member = member;
            this.nodeId = nodeId;
        }

        @Override
        public PresenceEvent process(Map.Entry<String, ChannelPresence> entry) {
            ChannelPresence p = entry.getValue() != null ? entry.getValue() : new ChannelPresence(entry.getKey());
            PresenceEvent event = p.enterOrUpdate(member, nodeId);
            store(entry, p);
            return event;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            Serializers.writeMember(out, member);
            out.writeString(nodeId);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            member = Serializers.readMember(in);
            nodeId = in.readString();
        }
    }

    public static final class Leave
            implements EntryProcessor<String, ChannelPresence, PresenceEvent>, DataSerializable {
        private String connectionId;

        public Leave() {
        }

        Leave(String connectionId) {
            this.connectionId = connectionId;
        }

        @Override
        public PresenceEvent process(Map.Entry<String, ChannelPresence> entry) {
            ChannelPresence p = entry.getValue();
            if (p == null) {
                return null;
            }
            PresenceEvent event = p.leave(connectionId);
            if (event != null) {
                store(entry, p);
            }
            return event;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(connectionId);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            connectionId = in.readString();
        }
    }

    public static final class Members
            implements EntryProcessor<String, ChannelPresence, Serializers.MemberList>, ReadOnly, DataSerializable {
        public Members() {
        }

        @Override
        public Serializers.MemberList process(Map.Entry<String, ChannelPresence> entry) {
            ChannelPresence p = entry.getValue();
            return new Serializers.MemberList(p == null ? List.of() : p.members());
        }

        @Override
        public EntryProcessor<String, ChannelPresence, Serializers.MemberList> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) {
        }

        @Override
        public void readData(ObjectDataInput in) {
        }
    }

    /** Read-only: the nodes holding members of the channel that are not live (null when there are none). */
    /** The members of one channel connected to a region; null when there are none (no result entry). */
    public static final class MembersOf
            implements EntryProcessor<String, ChannelPresence, Serializers.MemberList>, ReadOnly, DataSerializable {
        private String region;

        public MembersOf() {
        }

        MembersOf(String region) {
            this.region = region;
        }

        @Override
        public Serializers.MemberList process(Map.Entry<String, ChannelPresence> entry) {
            ChannelPresence p = entry.getValue();
            if (p == null) {
                return null;
            }
            List<PresenceMember> members = p.members().stream().filter(m -> region.equals(m.region())).toList();
            return members.isEmpty() ? null : new Serializers.MemberList(members);
        }

        @Override
        public EntryProcessor<String, ChannelPresence, Serializers.MemberList> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(region);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            region = in.readString();
        }
    }

    public static final class NodesOtherThan
            implements EntryProcessor<String, ChannelPresence, String[]>, ReadOnly, DataSerializable {
        private java.util.Set<String> live;

        public NodesOtherThan() {
        }

        NodesOtherThan(java.util.Set<String> live) {
            this.live = live;
        }

        @Override
        public String[] process(Map.Entry<String, ChannelPresence> entry) {
            ChannelPresence p = entry.getValue();
            if (p == null) {
                return null;
            }
            java.util.Set<String> stale = p.nodesOtherThan(live);
            return stale.isEmpty() ? null : stale.toArray(String[]::new);
        }

        @Override
        public EntryProcessor<String, ChannelPresence, String[]> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            HazelcastChannelLog.writeNodes(out, live);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            live = HazelcastChannelLog.readNodes(in);
        }
    }

    public static final class ForgetNode
            implements EntryProcessor<String, ChannelPresence, Serializers.EventList>, DataSerializable {
        private String nodeId;

        public ForgetNode() {
        }

        ForgetNode(String nodeId) {
            this.nodeId = nodeId;
        }

        @Override
        public Serializers.EventList process(Map.Entry<String, ChannelPresence> entry) {
            ChannelPresence p = entry.getValue();
            if (p == null) {
                return null;
            }
            List<PresenceEvent> events = p.forgetNode(nodeId);
            if (!events.isEmpty()) {
                store(entry, p);
            }
            return new Serializers.EventList(events);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(nodeId);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            nodeId = in.readString();
        }
    }
}
