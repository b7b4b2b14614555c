package io.heliograph.region.hazelcast;

import java.io.IOException;
import java.util.Map;
import java.util.function.LongSupplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.AttachResult;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.HistoryPage;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.channel.ReplicateResult;

/**
 * {@link ChannelLog} on a Hazelcast IMap keyed by channel. Each call is an entry processor run on the partition thread
 * that owns the channel, so calls on a channel are serialised region-wide; in OBJECT format the state is changed in
 * place and the same processor is replayed on the synchronous backup before the call returns.
 */
public final class HazelcastChannelLog implements ChannelLog {

    private final IMap<String, ChannelState> channels;
    private final HistoryLimits limits;
    private final LongSupplier nowMs;
    private final RegionCalls calls;

    public HazelcastChannelLog(HazelcastInstance hz, HistoryLimits limits, LongSupplier nowMs) {
        this(hz, limits, nowMs, RegionCalls.uncounted());
    }

    public HazelcastChannelLog(HazelcastInstance hz, HistoryLimits limits, LongSupplier nowMs, RegionCalls calls) {
        this.channels = hz.getMap(RegionMember.CHANNELS_MAP);
        this.limits = limits;
        this.nowMs = nowMs;
        this.calls = calls;
    }

    @Override
    public AppendResult append(String channel, long epoch, PublishRequest request, boolean heldUntilCommitted,
                               boolean requireSettled) {
        // The one change whose client retries it: 503 as soon as its backup did not confirm it.
        return calls.onKey(channels, channel, new Append(epoch, request, limits, heldUntilCommitted,
                requireSettled));
    }

    @Override
    public boolean commit(String channel, Serial through) {
        return calls.onKey(channels, channel, new ReplicationProcessors.Commit(through));
    }

    @Override
    public ReplicateResult replicate(String channel, ChannelMessage message, Serial previous) {
        // The bridge resends what was not acknowledged, so a 503 here is retried by the link, like a publish.
        return calls.onKey(channels, channel, new ReplicationProcessors.Replicate(message, previous, limits));
    }

    @Override
    public java.util.List<ReplicateResult> replicateAll(String channel,
                                                        java.util.List<io.heliograph.region.channel.ReplicatedMessage>
                                                                messages) {
        if (messages.isEmpty()) {
            return java.util.List.of();
        }
        io.heliograph.region.channel.ReplicatedMessage.requireChannel(channel, messages);
        // One round trip (and one backup) for the whole run; retried by the link like a single replicate.
        return calls.onKey(channels, channel, new ReplicationProcessors.ReplicateAll(messages, limits));
    }

    @Override
    public ReplicateResult replicateRestarting(String channel, ChannelMessage message, Serial previous) {
        return calls.onKey(channels, channel, new ReplicationProcessors.Replicate(message, previous, limits, true));
    }

    @Override
    public boolean commitPublished(String channel, Serial serial) {
        return calls.onKey(channels, channel, new ReplicationProcessors.CommitPublished(serial));
    }

    @Override
    public boolean settle(String channel, long epoch, Serial end) {
        return calls.onKey(channels, channel, new ReplicationProcessors.Settle(epoch, end));
    }

    @Override
    public ChannelState.HeldTail yieldTo(String channel, long newEpoch) {
        long[] tail = calls.onKey(channels, channel, new ReplicationProcessors.YieldTo(newEpoch));
        return new ChannelState.HeldTail(tail[0] == 1, tail[2] == 1 ? Serial.of(tail[3], tail[4]) : null, tail[1]);
    }

    @Override
    public boolean fence(String channel, long newEpoch, Serial endOfCurrent) {
        return calls.onKey(channels, channel, new ReplicationProcessors.Fence(newEpoch, endOfCurrent));
    }

    @Override
    public AttachResult attach(String channel, String nodeId, Serial fromSerial) {
        return call(channel, new Attach(nodeId, fromSerial, nowMs.getAsLong(), limits));
    }

    @Override
    public void detach(String channel, String nodeId) {
        call(channel, new Detach(nodeId));
    }

    @Override
    public HistoryPage history(String channel, Serial fromSerial, int limit, long maxBytes) {
        return call(channel, new History(fromSerial, limit, maxBytes, nowMs.getAsLong(), limits, false));
    }

    @Override
    public HistoryPage sequencedHistory(String channel, Serial fromSerial, int limit, long maxBytes) {
        return call(channel, new History(fromSerial, limit, maxBytes, nowMs.getAsLong(), limits, true));
    }

    @Override
    public Map<String, Serial> latest(java.util.Collection<String> channelNames) {
        if (channelNames.isEmpty()) {
            return Map.of();
        }
        Map<String, Serial> answers = calls.call(
                () -> channels.executeOnKeys(new java.util.HashSet<>(channelNames), new Latest()));
        Map<String, Serial> out = new java.util.HashMap<>();
        answers.forEach((channel, serial) -> {
            if (serial != null) {
                out.put(channel, serial);
            }
        });
        return out;
    }

    @Override
    public void forgetNode(String nodeId) {
        calls.callPatiently(() -> channels.executeOnEntries(new Detach(nodeId)));
    }

    @Override
    public java.util.Set<String> interestedNodesOtherThan(java.util.Set<String> live) {
        return union(calls.call(() -> channels.executeOnEntries(new InterestOtherThan(live))).values());
    }

    static java.util.Set<String> union(java.util.Collection<String[]> lists) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String[] list : lists) {
            if (list != null) {
                out.addAll(java.util.List.of(list));
            }
        }
        return out;
    }

    static void writeNodes(ObjectDataOutput out, java.util.Set<String> nodes) throws IOException {
        out.writeInt(nodes.size());
        for (String node : nodes) {
            out.writeString(node);
        }
    }

    static java.util.Set<String> readNodes(ObjectDataInput in) throws IOException {
        int n = in.readInt();
        java.util.Set<String> nodes = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            nodes.add(in.readString());
        }
        return nodes;
    }

    @Override
    public void expireAll() {
        calls.callPatiently(() -> channels.executeOnEntries(new Expire(nowMs.getAsLong(), limits)));
    }

    private <R> R call(String channel, EntryProcessor<String, ChannelState, R> processor) {
        return calls.onKeyPatiently(channels, channel, processor);
    }

    static ChannelState stateOf(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        return state != null ? state : new ChannelState(entry.getKey());
    }

    static void writeLimits(ObjectDataOutput out, HistoryLimits l) throws IOException {
        out.writeInt(l.maxMessages());
        out.writeLong(l.maxAgeMs());
        out.writeLong(l.dedupWindowMs());
    }

    static HistoryLimits readLimits(ObjectDataInput in) throws IOException {
        return new HistoryLimits(in.readInt(), in.readLong(), in.readLong());
    }

    static void writeSerial(ObjectDataOutput out, Serial s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeLong(s.epoch());
            out.writeLong(s.seq());
        }
    }

    static Serial readSerial(ObjectDataInput in) throws IOException {
        return in.readBoolean() ? Serial.of(in.readLong(), in.readLong()) : null;
    }

    /** Sequences one message; replayed as is on the backup. */
    public static final class Append implements EntryProcessor<String, ChannelState, AppendResult>, DataSerializable {
        private long epoch;
        private PublishRequest request;
        private HistoryLimits limits;
        private boolean heldUntilCommitted;
        private boolean requireSettled;

        public Append() {
        }

        Append(long epoch, PublishRequest request, HistoryLimits limits, boolean heldUntilCommitted,
               boolean requireSettled) {
            this.epoch = epoch;
            this.request = request;
            this.limits = limits;
            this.heldUntilCommitted = heldUntilCommitted;
            this.requireSettled = requireSettled;
        }

        @Override
        public AppendResult process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = stateOf(entry);
            AppendResult result = state.append(epoch, request, limits, heldUntilCommitted, requireSettled);
            if (!result.fenced() && !result.unsettled()) {
                entry.setValue(state);
            }
            return result;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(epoch);
            out.writeString(request.msgId());
            out.writeString(request.name());
            out.writeString(request.dataJson());
            out.writeString(request.clientId());
            out.writeString(request.region());
            out.writeLong(request.timestampMs());
            writeLimits(out, limits);
            out.writeBoolean(heldUntilCommitted);
            out.writeBoolean(requireSettled);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            epoch = in.readLong();
            request = new PublishRequest(in.readString(), in.readString(), in.readString(), in.readString(),
                    in.readString(), in.readLong());
            limits = readLimits(in);
            heldUntilCommitted = in.readBoolean();
            requireSettled = in.readBoolean();
        }
    }

    /** Registers interest and answers the latest serial and the catch-up, atomically. */
    public static final class Attach implements EntryProcessor<String, ChannelState, AttachResult>, DataSerializable {
        private String nodeId;
        private Serial fromSerial;
        private long nowMs;
        private HistoryLimits limits;

        public Attach() {
        }

        Attach(String nodeId, Serial fromSerial, long nowMs, HistoryLimits limits) {
            this.nodeId = nodeId;
            this.fromSerial = fromSerial;
            this.nowMs = nowMs;
            this.limits = limits;
        }

        @Override
        public AttachResult process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = stateOf(entry);
            AttachResult result = state.attach(nodeId, fromSerial, nowMs, limits);
            entry.setValue(state);
            return result;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(nodeId);
            writeSerial(out, fromSerial);
            out.writeLong(nowMs);
            writeLimits(out, limits);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            nodeId = in.readString();
            fromSerial = readSerial(in);
            nowMs = in.readLong();
            limits = readLimits(in);
        }
    }

    /** Removes a node's interest; also used over all entries when a node left. */
    public static final class Detach implements EntryProcessor<String, ChannelState, Boolean>, DataSerializable {
        private String nodeId;

        public Detach() {
        }

        Detach(String nodeId) {
            this.nodeId = nodeId;
        }

        @Override
        public Boolean process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null || !state.detach(nodeId)) {
                return false;
            }
            entry.setValue(state);
            return true;
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

    /** Reads a page of history without changing anything (no backup traffic). */
    public static final class History
            implements EntryProcessor<String, ChannelState, HistoryPage>, ReadOnly, DataSerializable {
        private Serial fromSerial;
        private int limit;
        private long maxBytes;
        private long nowMs;
        private HistoryLimits limits;
        private boolean withPending;

        public History() {
        }

        History(Serial fromSerial, int limit, long maxBytes, long nowMs, HistoryLimits limits, boolean withPending) {
            this.fromSerial = fromSerial;
            this.limit = limit;
            this.maxBytes = maxBytes;
            this.nowMs = nowMs;
            this.limits = limits;
            this.withPending = withPending;
        }

        @Override
        public HistoryPage process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null) {
                return new HistoryPage(java.util.List.of(), false);
            }
            return withPending ? state.sequencedHistory(fromSerial, limit, maxBytes, nowMs, limits)
                    : state.history(fromSerial, limit, maxBytes, nowMs, limits);
        }

        @Override
        public EntryProcessor<String, ChannelState, HistoryPage> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            writeSerial(out, fromSerial);
            out.writeInt(limit);
            out.writeLong(maxBytes);
            out.writeLong(nowMs);
            writeLimits(out, limits);
            out.writeBoolean(withPending);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            fromSerial = readSerial(in);
            limit = in.readInt();
            maxBytes = in.readLong();
            nowMs = in.readLong();
            limits = readLimits(in);
            withPending = in.readBoolean();
        }
    }

    /** Read-only: the channel's interested nodes that are not live (null when there are none). */
    public static final class InterestOtherThan
            implements EntryProcessor<String, ChannelState, String[]>, ReadOnly, DataSerializable {
        private java.util.Set<String> live;

        public InterestOtherThan() {
        }

        InterestOtherThan(java.util.Set<String> live) {
            this.live = live;
        }

        @Override
        public String[] process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null) {
                return null;
            }
            java.util.Set<String> stale = state.interestedNodesOtherThan(live);
            return stale.isEmpty() ? null : stale.toArray(String[]::new);
        }

        @Override
        public EntryProcessor<String, ChannelState, String[]> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            writeNodes(out, live);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            live = readNodes(in);
        }
    }

    /** Reads a channel's latest serial (null when it has none) without changing anything. */
    public static final class Latest
            implements EntryProcessor<String, ChannelState, Serial>, ReadOnly, DataSerializable {

        public Latest() {
        }

        @Override
        public Serial process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            return state == null ? null : state.visibleLatest();
        }

        @Override
        public EntryProcessor<String, ChannelState, Serial> getBackupProcessor() {
            return null;
        }

        @Override
        public void writeData(ObjectDataOutput out) {
        }

        @Override
        public void readData(ObjectDataInput in) {
        }
    }

    /** Trims aged history and idempotency keys of one channel; writes back (and backs up) only what changed. */
    public static final class Expire implements EntryProcessor<String, ChannelState, Boolean>, DataSerializable {
        private long nowMs;
        private HistoryLimits limits;

        public Expire() {
        }

        Expire(long nowMs, HistoryLimits limits) {
            this.nowMs = nowMs;
            this.limits = limits;
        }

        @Override
        public Boolean process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null || !state.expireNow(nowMs, limits)) {
                return false;
            }
            entry.setValue(state);
            return true;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(nowMs);
            writeLimits(out, limits);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            nowMs = in.readLong();
            limits = readLimits(in);
        }
    }
}
