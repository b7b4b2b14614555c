package io.heliograph.region.presence;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/** The presence set of one channel and its rules; engine-free, serialised by its owner. */
public final class ChannelPresence {

    private record Entry(PresenceMember member, String nodeId) {
    }

    private final String channel;
    private final LinkedHashMap<String, Entry> byConnection = new LinkedHashMap<>();

    public ChannelPresence(String channel) {
        this.channel = channel;
    }

    public PresenceEvent enterOrUpdate(PresenceMember member, String nodeId) {
        Entry previous = byConnection.put(member.connectionId(), new Entry(member, nodeId));
        return new PresenceEvent(channel, previous == null ? PresenceAction.ENTER : PresenceAction.UPDATE, member);
    }

    public PresenceEvent leave(String connectionId) {
        Entry removed = byConnection.remove(connectionId);
        return removed == null ? null : new PresenceEvent(channel, PresenceAction.LEAVE, removed.member);
    }

    public List<PresenceEvent> forgetNode(String nodeId) {
        List<PresenceEvent> events = new ArrayList<>();
        byConnection.values().removeIf(e -> {
            if (e.nodeId.equals(nodeId)) {
                events.add(new PresenceEvent(channel, PresenceAction.LEAVE, e.member));
                return true;
            }
            return false;
        });
        return events;
    }

    /** The nodes holding members here that are not in {@code live}. */
    public java.util.Set<String> nodesOtherThan(java.util.Set<String> live) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (Entry e : byConnection.values()) {
            if (!live.contains(e.nodeId)) {
                out.add(e.nodeId);
            }
        }
        return out;
    }

    public List<PresenceMember> members() {
        return byConnection.values().stream().map(Entry::member).toList();
    }

    public boolean isEmpty() {
        return byConnection.isEmpty();
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(channel);
        out.writeInt(byConnection.size());
        for (Map.Entry<String, Entry> e : byConnection.entrySet()) {
            PresenceMember m = e.getValue().member;
            out.writeUTF(m.clientId());
            out.writeUTF(m.connectionId());
            out.writeBoolean(m.dataJson() != null);
            if (m.dataJson() != null) {
                byte[] bytes = m.dataJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
            out.writeUTF(m.region() == null ? "" : m.region());
            out.writeUTF(e.getValue().nodeId);
        }
    }

    public static ChannelPresence readFrom(DataInput in) throws IOException {
        ChannelPresence p = new ChannelPresence(in.readUTF());
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String clientId = in.readUTF();
            String connectionId = in.readUTF();
            String data = null;
            if (in.readBoolean()) {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                data = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }
            String region = in.readUTF();
            String nodeId = in.readUTF();
            p.byConnection.put(connectionId,
                    new Entry(new PresenceMember(clientId, connectionId, data, region), nodeId));
        }
        return p;
    }
}
