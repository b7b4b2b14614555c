package io.heliograph.region.hazelcast;

import java.util.Comparator;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

import io.heliograph.region.lease.Lease;

/**
 * How a lease is merged when two halves of a region join again: the record with the higher {@code leaseEpoch} wins,
 * so an epoch never goes back and the newer tenure stands; the holder of the losing record finds its next renewal
 * refused and reports the loss. While apart, both halves may have started a tenure from the same epoch, so the same
 * epoch with two holders is possible: then the later expiry wins (the tenure renewed most recently), then, for a
 * deterministic answer on every member, the greater holder name. Hazelcast's default (keep what exists) could bring
 * back a record with a lower epoch than one a peer has already seen.
 */
public final class HigherLeaseEpochMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    /** Orders records by how strongly they should survive a merge; the greatest wins. */
    static final Comparator<Lease> PRECEDENCE = Comparator.comparingLong(Lease::leaseEpoch)
            .thenComparingLong(Lease::expiresAtMs)
            .thenComparing(Lease::holder, Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        if (merging == null) {
            return existing.getRawValue();
        }
        if (merging.getDeserializedValue() instanceof Lease m && existing.getDeserializedValue() instanceof Lease e) {
            return prefersMerging(m, e) ? merging.getRawValue() : existing.getRawValue();
        }
        return existing.getRawValue();
    }

    /** The merging record wins only when it strictly precedes; identical records keep what the cluster has. */
    static boolean prefersMerging(Lease merging, Lease existing) {
        return PRECEDENCE.compare(merging, existing) > 0;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
}
