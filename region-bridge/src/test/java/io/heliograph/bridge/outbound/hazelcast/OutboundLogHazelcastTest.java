package io.heliograph.bridge.outbound.hazelcast;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heliograph.bridge.outbound.OutboundLimits;
import io.heliograph.bridge.outbound.OutboundLog;
import io.heliograph.bridge.outbound.OutboundLogContract;
import io.heliograph.region.hazelcast.RegionCalls;
import io.heliograph.region.hazelcast.RegionMember;
import io.heliograph.region.testing.RegionTesting;

/**
 * The outbound-log contract on a two-member cluster in this JVM. Each test's peer is new, so about half the logs live
 * on the other member and every call crosses the wire (processors, state and answers serialized); the concurrency test
 * appends through both members at once.
 */
class OutboundLogHazelcastTest extends OutboundLogContract {

    private static HazelcastInstance one;
    private static HazelcastInstance two;
    private static int next;
    private final java.util.Map<String, OutboundLimits> limitsOfPeer = new java.util.HashMap<>();

    @BeforeAll
    static void start() {
        int p1 = RegionTesting.freePort();
        int p2 = RegionTesting.freePort();
        String cluster = "outbound-contract-" + System.nanoTime();
        one = Hazelcast.newHazelcastInstance(memberConfig("one", p1, List.of(p1, p2), cluster));
        two = Hazelcast.newHazelcastInstance(memberConfig("two", p2, List.of(p1, p2), cluster));
        RegionTesting.await("two members", Duration.ofSeconds(60), () -> one.getCluster().getMembers().size() == 2);
        RegionTesting.awaitPartitionsSafe(Duration.ofSeconds(60), one, two);
    }

    static Config memberConfig(String nodeId, int port, List<Integer> members, String cluster) {
        return HazelcastOutboundLog.configure(RegionMember.config(RegionTesting.member(nodeId, port, members, cluster)));
    }

    @AfterAll
    static void stop() {
        two.shutdown();
        one.shutdown();
    }

    @Override
    protected OutboundLog newLog(String peerRegion, OutboundLimits limits, LongSupplier nowMs) {
        // Alternate the member a test's calls go through.
        HazelcastInstance via = (next++ % 2 == 0) ? one : two;
        limitsOfPeer.put(peerRegion, limits);
        return new HazelcastOutboundLog(via, peerRegion, limits, nowMs, RegionCalls.uncounted());
    }

    @Override
    protected OutboundLog appenderLog(OutboundLog log, int appender) {
        return new HazelcastOutboundLog(appender % 2 == 0 ? one : two, log.peerRegion(),
                limitsOfPeer.get(log.peerRegion()), clock::get, RegionCalls.uncounted());
    }

    @Override
    protected int concurrentAppends() {
        return 800;
    }

    @Test
    void aMemberWithoutTheOutboundConfigurationIsRefusedWithTheFix() {
        int port = RegionTesting.freePort();
        HazelcastInstance bare = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("bare", port, List.of(port), "outbound-bare-" + System.nanoTime())));
        try {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new HazelcastOutboundLog(
                    bare, "eu-west", OutboundLimits.DEFAULTS, System::currentTimeMillis, RegionCalls.uncounted()));
            assertTrue(refused.getMessage().contains("HazelcastOutboundLog.configure"), refused.getMessage());
        } finally {
            bare.shutdown();
        }
    }
}
