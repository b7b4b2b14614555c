package io.heliograph.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.testing.TestNodes;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.hazelcast.RegionMember;

/**
 * Helidon installs a JVM-wide deserialization filter; Hazelcast carries a peer's exceptions with Java serialization.
 * Our allow-list (META-INF/helidon/serial-config.properties) must let those replies through, or every operation that
 * fails on a peer (a partition migrating, say) hangs until its timeout instead of being retried or reported.
 */
class RemoteErrorsTest {

    /** Fails on whichever member owns the key. */
    static final class Failing implements EntryProcessor<String, ChannelState, Object> {
        @Override
        public Object process(Map.Entry<String, ChannelState> entry) {
            throw new IllegalStateException("failed on the owner");
        }
    }

    @Test
    void anExceptionOnThePeerReachesTheCallerUnderHelidonsFilter() {
        // Starting a Helidon server installs its JVM-wide filter, as every edge node does.
        EdgeNode.startStandalone(TestNodes.standalone(), System::currentTimeMillis).close();
        int p1 = TestNodes.freePort();
        int p2 = TestNodes.freePort();
        String cluster = "errors-" + System.nanoTime();
        HazelcastInstance one = Hazelcast.newHazelcastInstance(RegionMember.config(
                TestNodes.config("us-east", "one", p1, List.of(p1, p2), cluster).memberSettings()));
        HazelcastInstance two = Hazelcast.newHazelcastInstance(RegionMember.config(
                TestNodes.config("us-east", "two", p2, List.of(p1, p2), cluster).memberSettings()));
        try {
            TestNodes.await("two members", Duration.ofSeconds(60), () -> one.getCluster().getMembers().size() == 2);
            io.heliograph.region.testing.RegionTesting.awaitPartitionsSafe(Duration.ofSeconds(60), one, two);
            String remoteKey = null;
            for (int i = 0; remoteKey == null; i++) {
                String key = "k" + i;
                if (!one.getPartitionService().getPartition(key).getOwner().localMember()) {
                    remoteKey = key;
                }
            }
            String key = remoteKey;
            var map = one.<String, ChannelState>getMap(RegionMember.CHANNELS_MAP);
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(8),
                    () -> assertThrows(IllegalStateException.class, () -> map.executeOnKey(key, new Failing())));
            assertEquals("failed on the owner", e.getMessage());
        } finally {
            two.shutdown();
            one.shutdown();
        }
    }
}
