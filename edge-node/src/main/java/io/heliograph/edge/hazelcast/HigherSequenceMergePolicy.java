package io.heliograph.edge.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

import io.heliograph.edge.channel.ChannelState;
import io.heliograph.protocol.Serial;

/**
 * How a channel is merged when two halves of a region join again (a frozen or cut-off member comes back): the side
 * that sequenced further wins. Hazelcast's default (keep what exists) could let a member that slept through messages
 * bring back an older sequence and reuse serials that were already acked. When both halves sequenced the same
 * channel, the messages of the losing half are lost: that is the split brain ADR 0001 describes, to be fenced with
 * epochs by the control plane.
 */
public final class HigherSequenceMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        if (merging == null) {
            return existing.getRawValue();
        }
        Object mergingState = merging.getDeserializedValue();
        Object existingState = existing.getDeserializedValue();
        if (mergingState instanceof ChannelState m && existingState instanceof ChannelState e) {
            return prefersMerging(m.latest(), e.latest()) ? merging.getRawValue() : existing.getRawValue();
        }
        return existing.getRawValue();
    }

    /** The merging side wins only when it sequenced strictly further; ties keep what the cluster has. */
    static boolean prefersMerging(Serial merging, Serial existing) {
        if (merging == null) {
            return false;
        }
        return existing == null || merging.compareTo(existing) > 0;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
}
