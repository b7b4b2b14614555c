package io.heliograph.region.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

import io.heliograph.region.mesh.MeshTable;

/**
 * How the mesh table is merged when two halves of a region join again: the higher version wins, so a region never
 * goes back to a table older than one some of its processes acted on (Hazelcast's default keeps what exists).
 */
public final class HigherTableVersionMergePolicy
        implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

    @Override
    public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
        if (existing == null) {
            return merging.getRawValue();
        }
        if (merging == null) {
            return existing.getRawValue();
        }
        if (merging.getDeserializedValue() instanceof byte[] m && existing.getDeserializedValue() instanceof byte[] e) {
            return MeshTable.versionOf(m) > MeshTable.versionOf(e) ? merging.getRawValue() : existing.getRawValue();
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
