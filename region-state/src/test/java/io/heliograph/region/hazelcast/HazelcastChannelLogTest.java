package io.heliograph.region.hazelcast;

import java.util.List;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.ChannelLogContract;
import io.heliograph.region.testing.RegionTesting;

/**
 * The channel-log contract on a two-member Hazelcast cluster in this JVM: calls go through member one, so half the
 * channels live on the other member and every result crosses the wire (serializers included).
 */
class HazelcastChannelLogTest extends ChannelLogContract {

    private static HazelcastInstance one;
    private static HazelcastInstance two;
    private static ChannelLog log;

    @BeforeAll
    static void start() {
        int p1 = RegionTesting.freePort();
        int p2 = RegionTesting.freePort();
        String cluster = "log-contract-" + System.nanoTime();
        one = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("one", p1, List.of(p1, p2), cluster)));
        two = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("two", p2, List.of(p1, p2), cluster)));
        RegionTesting.await("two members", java.time.Duration.ofSeconds(60),
                () -> one.getCluster().getMembers().size() == 2);
        RegionTesting.awaitPartitionsSafe(java.time.Duration.ofSeconds(60), one, two);
        log = new HazelcastChannelLog(one, LIMITS, System::currentTimeMillis);
    }

    @AfterAll
    static void stop() {
        two.shutdown();
        one.shutdown();
    }

    @Override
    protected ChannelLog log() {
        return log;
    }
}
