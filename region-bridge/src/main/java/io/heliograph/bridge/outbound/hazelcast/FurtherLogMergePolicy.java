package io.heliograph.bridge.outbound.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

import io.heliograph.bridge.outbound.OutboundState;

/**
 * How a peer's outbound log is merged when two halves of a region join again: the side that assigned further wins.
 * Hazelcast's default (keep what exists) could bring back a log that is behind the peer's acknowledgement, whose next
 * appends would get {@code link_seq}s the peer already acknowledged, and so never be sent. What only the losing half
 * appended is lost from the log; the peer finds those messages missing by their {@code previous} serial and fetches
 * them with Backfill.
 */
public final class FurtherLogMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        if (merging == null) {
            return existing.getRawValue();
        }
        if (merging.getDeserializedValue() instanceof OutboundState m
                && existing.getDeserializedValue() instanceof OutboundState e
                && m.lastAppended() > e.lastAppended()) {
            return merging.getRawValue();
        }
        return existing.getRawValue();
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
}
