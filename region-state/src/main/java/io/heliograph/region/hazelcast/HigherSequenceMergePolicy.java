package io.heliograph.region.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelState;

/**
 * How a channel is merged when two halves of a region join again (a frozen or cut-off member comes back): the side
 * that sequenced further wins its sequence, history and idempotency window; subscription interest is the union of both
 * sides' (each side forgot the other's nodes while they were apart). Hazelcast's default (keep what exists) could let a member that slept through messages
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
            return merge(m, e);
        }
        return existing.getRawValue();
    }

    /**
     * The sequence and history of the side that sequenced further; the interest of both sides; and the higher epoch
     * either side knew of: a fence learned on one side while apart is never forgotten by the merge.
     */
    static ChannelState merge(ChannelState merging, ChannelState existing) {
        boolean mergingWins = prefersMerging(merging.latest(), existing.latest());
        ChannelState winner = mergingWins ? merging.withInterestOf(existing) : existing.withInterestOf(merging);
        ChannelState loser = mergingWins ? existing : merging;
        if (loser.knownEpoch() > winner.knownEpoch()) {
            winner.fence(loser.knownEpoch(), null);
        }
        return winner;
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
