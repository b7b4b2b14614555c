package io.heliograph.region.hazelcast;

import java.io.IOException;
import java.util.Map;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelMessageCodec;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.ReplicateResult;

/**
 * The entry processors of a channel's multi-region life: taking a message (or a run of them) another region sequenced, fencing the
 * channel when its home moves, and committing what another region holds. Both are deterministic given their fields, so the backup replays them as they are.
 */
final class ReplicationProcessors {

    private ReplicationProcessors() {
    }

    /** Stores a message sequenced in another region, in order only. */
    public static final class Replicate
            implements EntryProcessor<String, ChannelState, ReplicateResult>, DataSerializable {
        private ChannelMessage message;
        private Serial previous;
        private HistoryLimits limits;
        private boolean restarting;

        public Replicate() {
        }

        Replicate(ChannelMessage message, Serial previous, HistoryLimits limits) {
            this(message, previous, limits, false);
        }

        /** @param restarting continue the channel from this message when its predecessors cannot be had */
        Replicate(ChannelMessage message, Serial previous, HistoryLimits limits, boolean restarting) {
            this.message = message;
            this.previous = previous;
            this.limits = limits;
            this.restarting = restarting;
        }

        @Override
        public ReplicateResult process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = HazelcastChannelLog.stateOf(entry);
            ReplicateResult result = restarting ? state.restartFrom(message, previous, limits)
                    : state.replicate(message, previous, limits);
            if (result.outcome() == ReplicateResult.Outcome.APPLIED) {
                entry.setValue(state);
            }
            return result;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            ChannelMessageCodec.writeMessage(out, message);
            HazelcastChannelLog.writeSerial(out, previous);
            HazelcastChannelLog.writeLimits(out, limits);
            out.writeBoolean(restarting);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            message = ChannelMessageCodec.readMessage(in);
            previous = HazelcastChannelLog.readSerial(in);
            limits = HazelcastChannelLog.readLimits(in);
            restarting = in.readBoolean();
        }
    }

    /**
     * Stores a run of one channel's replicated messages in order, each with the outcome {@link Replicate} would give
     * it: one call and one backup instead of one per message. Answers a list, one result per message.
     */
    public static final class ReplicateAll
            implements EntryProcessor<String, ChannelState, java.util.List<ReplicateResult>>, DataSerializable {
        private java.util.List<io.heliograph.region.channel.ReplicatedMessage> messages;
        private HistoryLimits limits;

        public ReplicateAll() {
        }

        ReplicateAll(java.util.List<io.heliograph.region.channel.ReplicatedMessage> messages, HistoryLimits limits) {
            this.messages = messages;
            this.limits = limits;
        }

        @Override
        public java.util.List<ReplicateResult> process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = HazelcastChannelLog.stateOf(entry);
            java.util.List<ReplicateResult> results = state.replicateAll(messages, limits);
            for (ReplicateResult result : results) {
                if (result.outcome() == ReplicateResult.Outcome.APPLIED) {
                    entry.setValue(state);
                    break;
                }
            }
            // An ArrayList: Hazelcast serializes it natively, each result by its own serializer.
            return new java.util.ArrayList<>(results);
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(messages.size());
            for (var m : messages) {
                ChannelMessageCodec.writeMessage(out, m.message());
                HazelcastChannelLog.writeSerial(out, m.previous());
            }
            HazelcastChannelLog.writeLimits(out, limits);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            int n = in.readInt();
            messages = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ChannelMessage message = ChannelMessageCodec.readMessage(in);
                messages.add(new io.heliograph.region.channel.ReplicatedMessage(message,
                        HazelcastChannelLog.readSerial(in)));
            }
            limits = HazelcastChannelLog.readLimits(in);
        }
    }

    /** Raises the channel's known epoch (and ends its current one) when its home moves. */
    public static final class Fence implements EntryProcessor<String, ChannelState, Boolean>, DataSerializable {
        private long newEpoch;
        private Serial endOfCurrent;

        public Fence() {
        }

        Fence(long newEpoch, Serial endOfCurrent) {
            this.newEpoch = newEpoch;
            this.endOfCurrent = endOfCurrent;
        }

        @Override
        public Boolean process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = HazelcastChannelLog.stateOf(entry);
            boolean changed = state.fence(newEpoch, endOfCurrent);
            if (changed) {
                entry.setValue(state);
            }
            return changed;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(newEpoch);
            HazelcastChannelLog.writeSerial(out, endOfCurrent);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            newEpoch = in.readLong();
            endOfCurrent = HazelcastChannelLog.readSerial(in);
        }
    }

    /** Commits an acknowledged global publish, or answers that it left the channel's order. */
    public static final class CommitPublished implements EntryProcessor<String, ChannelState, Boolean>,
            DataSerializable {
        private Serial serial;

        public CommitPublished() {
        }

        CommitPublished(Serial serial) {
            this.serial = serial;
        }

        @Override
        public Boolean process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null) {
                return false;
            }
            boolean inOrder = state.commitPublished(serial);
            entry.setValue(state);
            return inOrder;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            HazelcastChannelLog.writeSerial(out, serial);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            serial = HazelcastChannelLog.readSerial(in);
        }
    }

    /** Takes the channel over as its home in an epoch (see {@link ChannelState#settle}). */
    public static final class Settle implements EntryProcessor<String, ChannelState, Boolean>, DataSerializable {
        private long epoch;
        private Serial end;

        public Settle() {
        }

        Settle(long epoch, Serial end) {
            this.epoch = epoch;
            this.end = end;
        }

        @Override
        public Boolean process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = HazelcastChannelLog.stateOf(entry);
            boolean settled = state.settle(epoch, end);
            if (settled) {
                entry.setValue(state);
            }
            return settled;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(epoch);
            HazelcastChannelLog.writeSerial(out, end);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            epoch = in.readLong();
            end = HazelcastChannelLog.readSerial(in);
        }
    }

    /**
     * Yields the channel to a new home's epoch (see {@link ChannelState#yieldTo}); answers {accepted (1/0), known
     * epoch, has a latest (1/0), its epoch, its seq}, a plain array so that no serializer is needed for the answer.
     */
    public static final class YieldTo implements EntryProcessor<String, ChannelState, long[]>, DataSerializable {
        private long newEpoch;

        public YieldTo() {
        }

        YieldTo(long newEpoch) {
            this.newEpoch = newEpoch;
        }

        @Override
        public long[] process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = HazelcastChannelLog.stateOf(entry);
            ChannelState.HeldTail tail = state.yieldTo(newEpoch);
            if (tail.accepted()) {
                entry.setValue(state);
            }
            Serial latest = tail.latest();
            return new long[] {tail.accepted() ? 1 : 0, tail.knownEpoch(), latest != null ? 1 : 0,
                    latest != null ? latest.epoch() : 0, latest != null ? latest.seq() : 0};
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeLong(newEpoch);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            newEpoch = in.readLong();
        }
    }

    /** Another region holds the channel up to a serial: those messages become visible to readers. */
    public static final class Commit implements EntryProcessor<String, ChannelState, Boolean>, DataSerializable {
        private Serial through;

        public Commit() {
        }

        Commit(Serial through) {
            this.through = through;
        }

        @Override
        public Boolean process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null) {
                return false;
            }
            boolean changed = state.commit(through);
            if (changed) {
                entry.setValue(state);
            }
            return changed;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            HazelcastChannelLog.writeSerial(out, through);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            through = HazelcastChannelLog.readSerial(in);
        }
    }
}
