package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.serialization.StreamSerializer;

class RegionMemberConfigTest {

    private static Config config() {
        return RegionMember.config(new MemberSettings("n1", "c", "127.0.0.1", 5701, List.of(), 15_000));
    }

    /** Two serializers with one type id would make a member fail to start, or read one type as another. */
    @Test
    void everySerializerHasATypeIdOfItsOwn() {
        Map<Integer, String> byId = new HashMap<>();
        for (SerializerConfig s : config().getSerializationConfig().getSerializerConfigs()) {
            StreamSerializer<?> serializer = (StreamSerializer<?>) s.getImplementation();
            String previous = byId.put(serializer.getTypeId(), serializer.getClass().getSimpleName());
            assertTrue(previous == null, "type id " + serializer.getTypeId() + " used by " + previous + " and "
                    + serializer.getClass().getSimpleName());
        }
        assertTrue(byId.size() >= 10, "serializers registered: " + byId);
    }

    @Test
    void aRegionUsesItsOwnPartitionCount() {
        assertEquals(Integer.toString(RegionMember.PARTITIONS), config().getProperty("hazelcast.partition.count"));
    }
}
