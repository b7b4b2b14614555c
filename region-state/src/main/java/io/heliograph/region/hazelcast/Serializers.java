package io.heliograph.region.hazelcast;

import java.io.IOException;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.PresenceAction;
import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.AttachResult;
import io.heliograph.region.channel.ChannelMessageCodec;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.lease.Lease;
import io.heliograph.region.lease.LeaseOutcome;
import io.heliograph.region.presence.ChannelPresence;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

/** Compact binary forms of the engine-free state classes, for backups and partition migration. */
final class Serializers {

    private Serializers() {
    }

    static final class ChannelStateSerializer implements StreamSerializer<ChannelState> {
        @Override
        public void write(ObjectDataOutput out, ChannelState state) throws IOException {
            state.writeTo(out);
        }

        @Override
        public ChannelState read(ObjectDataInput in) throws IOException {
            return ChannelState.readFrom(in);
        }

        @Override
        public int getTypeId() {
            return 7101;
        }
    }

    static final class ChannelPresenceSerializer implements StreamSerializer<ChannelPresence> {
        @Override
        public void write(ObjectDataOutput out, ChannelPresence presence) throws IOException {
            presence.writeTo(out);
        }

        @Override
        public ChannelPresence read(ObjectDataInput in) throws IOException {
            return ChannelPresence.readFrom(in);
        }

        @Override
        public int getTypeId() {
            return 7102;
        }
    }

    static void writeMessages(ObjectDataOutput out, List<ChannelMessage> messages) throws IOException {
        out.writeInt(messages.size());
        for (ChannelMessage m : messages) {
            ChannelMessageCodec.writeMessage(out, m);
        }
    }

    static List<ChannelMessage> readMessages(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        List<ChannelMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ChannelMessageCodec.readMessage(in));
        }
        return List.copyOf(out);
    }

    static final class ChannelMessageSerializer implements StreamSerializer<ChannelMessage> {
        @Override
        public void write(ObjectDataOutput out, ChannelMessage m) throws IOException {
            ChannelMessageCodec.writeMessage(out, m);
        }

        @Override
        public ChannelMessage read(ObjectDataInput in) throws IOException {
            return ChannelMessageCodec.readMessage(in);
        }

        @Override
        public int getTypeId() {
            return 7103;
        }
    }

    static final class AppendResultSerializer implements StreamSerializer<AppendResult> {
        @Override
        public void write(ObjectDataOutput out, AppendResult r) throws IOException {
            out.writeByte(r.outcome().ordinal());
            out.writeBoolean(r.message() != null);
            if (r.message() != null) {
                ChannelMessageCodec.writeMessage(out, r.message());
            }
            HazelcastChannelLog.writeSerial(out, r.previous());
            writeNodes(out, r.interestedNodes());
            out.writeBoolean(r.stored());
            out.writeLong(r.knownEpoch());
            out.writeBoolean(r.committed());
        }

        @Override
        public AppendResult read(ObjectDataInput in) throws IOException {
            AppendResult.Outcome outcome = AppendResult.Outcome.values()[in.readByte()];
            ChannelMessage m = in.readBoolean() ? ChannelMessageCodec.readMessage(in) : null;
            Serial previous = HazelcastChannelLog.readSerial(in);
            Set<String> nodes = readNodes(in);
            boolean stored = in.readBoolean();
            long knownEpoch = in.readLong();
            return new AppendResult(outcome, m, previous, nodes, stored, knownEpoch, in.readBoolean());
        }

        @Override
        public int getTypeId() {
            return 7104;
        }
    }

    static void writeNodes(ObjectDataOutput out, Set<String> nodes) throws IOException {
        out.writeInt(nodes.size());
        for (String node : nodes) {
            out.writeString(node);
        }
    }

    static Set<String> readNodes(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        Set<String> nodes = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
            nodes.add(in.readString());
        }
        return Set.copyOf(nodes);
    }

    static final class ReplicateResultSerializer implements StreamSerializer<ReplicateResult> {
        @Override
        public void write(ObjectDataOutput out, ReplicateResult r) throws IOException {
            out.writeByte(r.outcome().ordinal());
            HazelcastChannelLog.writeSerial(out, r.latest());
            writeNodes(out, r.interestedNodes());
        }

        @Override
        public ReplicateResult read(ObjectDataInput in) throws IOException {
            ReplicateResult.Outcome outcome = ReplicateResult.Outcome.values()[in.readByte()];
            Serial latest = HazelcastChannelLog.readSerial(in);
            return new ReplicateResult(outcome, latest, readNodes(in));
        }

        @Override
        public int getTypeId() {
            return 7112;
        }
    }

    static final class AttachResultSerializer implements StreamSerializer<AttachResult> {
        @Override
        public void write(ObjectDataOutput out, AttachResult r) throws IOException {
            HazelcastChannelLog.writeSerial(out, r.latest());
            out.writeBoolean(r.continuityLost());
        }

        @Override
        public AttachResult read(ObjectDataInput in) throws IOException {
            return new AttachResult(HazelcastChannelLog.readSerial(in), in.readBoolean());
        }

        @Override
        public int getTypeId() {
            return 7105;
        }
    }

    /** A bare serial: the answer of {@link HazelcastChannelLog.Latest}. */
    static final class SerialSerializer implements StreamSerializer<Serial> {
        @Override
        public void write(ObjectDataOutput out, Serial s) throws IOException {
            out.writeLong(s.epoch());
            out.writeLong(s.seq());
        }

        @Override
        public Serial read(ObjectDataInput in) throws IOException {
            return Serial.of(in.readLong(), in.readLong());
        }

        @Override
        public int getTypeId() {
            return 7120;
        }
    }

    static final class HistoryPageSerializer implements StreamSerializer<HistoryPage> {
        @Override
        public void write(ObjectDataOutput out, HistoryPage p) throws IOException {
            writeMessages(out, p.messages());
            out.writeBoolean(p.more());
        }

        @Override
        public HistoryPage read(ObjectDataInput in) throws IOException {
            return new HistoryPage(readMessages(in), in.readBoolean());
        }

        @Override
        public int getTypeId() {
            return 7106;
        }
    }

    static void writeMember(ObjectDataOutput out, PresenceMember m) throws IOException {
        out.writeString(m.clientId());
        out.writeString(m.connectionId());
        out.writeString(m.dataJson());
        out.writeString(m.region());
    }

    static PresenceMember readMember(ObjectDataInput in) throws IOException {
        return new PresenceMember(in.readString(), in.readString(), in.readString(), in.readString());
    }

    static final class PresenceEventSerializer implements StreamSerializer<PresenceEvent> {
        @Override
        public void write(ObjectDataOutput out, PresenceEvent e) throws IOException {
            out.writeString(e.channel());
            out.writeByte(e.action().ordinal());
            writeMember(out, e.member());
        }

        @Override
        public PresenceEvent read(ObjectDataInput in) throws IOException {
            return new PresenceEvent(in.readString(), PresenceAction.values()[in.readByte()], readMember(in));
        }

        @Override
        public int getTypeId() {
            return 7107;
        }
    }

    static final class MemberListSerializer implements StreamSerializer<MemberList> {
        @Override
        public void write(ObjectDataOutput out, MemberList list) throws IOException {
            out.writeInt(list.members().size());
            for (PresenceMember m : list.members()) {
                writeMember(out, m);
            }
        }

        @Override
        public MemberList read(ObjectDataInput in) throws IOException {
            int n = in.readInt();
            List<PresenceMember> members = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                members.add(readMember(in));
            }
            return new MemberList(List.copyOf(members));
        }

        @Override
        public int getTypeId() {
            return 7108;
        }
    }

    static final class EventListSerializer implements StreamSerializer<EventList> {
        private final PresenceEventSerializer events = new PresenceEventSerializer();

        @Override
        public void write(ObjectDataOutput out, EventList list) throws IOException {
            out.writeInt(list.events().size());
            for (PresenceEvent e : list.events()) {
                events.write(out, e);
            }
        }

        @Override
        public EventList read(ObjectDataInput in) throws IOException {
            int n = in.readInt();
            List<PresenceEvent> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(events.read(in));
            }
            return new EventList(List.copyOf(out));
        }

        @Override
        public int getTypeId() {
            return 7109;
        }
    }

    static void writeLease(ObjectDataOutput out, Lease lease) throws IOException {
        out.writeString(lease.name());
        out.writeString(lease.holder());
        out.writeLong(lease.leaseEpoch());
        out.writeLong(lease.expiresAtMs());
    }

    static Lease readLease(ObjectDataInput in) throws IOException {
        return new Lease(in.readString(), in.readString(), in.readLong(), in.readLong());
    }

    /** The record of {@code hg.leases}. */
    static final class LeaseSerializer implements StreamSerializer<Lease> {
        @Override
        public void write(ObjectDataOutput out, Lease lease) throws IOException {
            writeLease(out, lease);
        }

        @Override
        public Lease read(ObjectDataInput in) throws IOException {
            return readLease(in);
        }

        @Override
        public int getTypeId() {
            return 7110;
        }
    }

    /** The answer of the lease entry processors; the refusal by name, so reordering the enum breaks nothing. */
    static final class LeaseOutcomeSerializer implements StreamSerializer<LeaseOutcome> {
        @Override
        public void write(ObjectDataOutput out, LeaseOutcome outcome) throws IOException {
            out.writeBoolean(outcome.lease() != null);
            if (outcome.lease() != null) {
                writeLease(out, outcome.lease());
            }
            out.writeString(outcome.refusal() == null ? null : outcome.refusal().name());
        }

        @Override
        public LeaseOutcome read(ObjectDataInput in) throws IOException {
            Lease lease = in.readBoolean() ? readLease(in) : null;
            String refusal = in.readString();
            return new LeaseOutcome(refusal == null, lease,
                    refusal == null ? null : LeaseOutcome.Refusal.valueOf(refusal));
        }

        @Override
        public int getTypeId() {
            return 7111;
        }
    }

    /** Wrappers give lists of our types a serializer of their own. */
    record MemberList(List<PresenceMember> members) {
    }

    record EventList(List<PresenceEvent> events) {
    }
}
