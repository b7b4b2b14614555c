package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.Test;

import io.heliograph.protocol.PresenceMember;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.presence.PresenceRegistry;
import io.heliograph.region.testing.RegionTesting;

/** An acknowledged append survives the crash of the member that owned it: the synchronous backup takes over. */
class SynchronousBackupTest {

    @Test
    void acknowledgedAppendsSurviveTheCrashOfTheirOwner() {
        int p1 = RegionTesting.freePort();
        int p2 = RegionTesting.freePort();
        String cluster = "backup-" + System.nanoTime();
        HazelcastInstance survivor = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("survivor", p1, List.of(p1, p2), cluster)));
        HazelcastInstance victim = Hazelcast.newHazelcastInstance(RegionMember.config(
                RegionTesting.member("victim", p2, List.of(p1, p2), cluster)));
        try {
            RegionTesting.await("two members", Duration.ofSeconds(60),
                    () -> survivor.getCluster().getMembers().size() == 2);
            HistoryLimits limits = new HistoryLimits(1000, 3_600_000, 120_000);
            ChannelLog viaVictim = new HazelcastChannelLog(victim, limits, System::currentTimeMillis);
            PresenceRegistry presenceViaVictim = new HazelcastPresenceRegistry(victim);
            Map<String, Serial> acked = new HashMap<>();
            for (int c = 0; c < 40; c++) {
                String channel = "ch-" + c;
                for (int i = 0; i < 5; i++) {
                    acked.put(channel, viaVictim.append(channel, 1, new PublishRequest(channel + "-" + i, null,
                            Integer.toString(i), "x", "us-east", System.currentTimeMillis())).message().serial());
                }
                presenceViaVictim.enterOrUpdate(channel, new PresenceMember("m", "conn-" + c, null, "us-east"),
                        "survivor-node");
            }
            victim.getLifecycleService().terminate();
            RegionTesting.await("victim gone", Duration.ofSeconds(30),
                    () -> survivor.getCluster().getMembers().size() == 1);
            ChannelLog log = new HazelcastChannelLog(survivor, limits, System::currentTimeMillis);
            PresenceRegistry presence = new HazelcastPresenceRegistry(survivor);
            for (var e : acked.entrySet()) {
                var page = log.history(e.getKey(), null, 100, Long.MAX_VALUE);
                assertEquals(5, page.messages().size(), e.getKey());
                assertEquals(e.getValue(), page.messages().get(4).serial());
                assertTrue(log.append(e.getKey(), 1, new PublishRequest(e.getKey() + "-0", null, "0", "x", "us-east",
                        System.currentTimeMillis())).duplicate(), "idempotency keys survive too");
                assertEquals(1, presence.members(e.getKey()).size());
            }
        } finally {
            survivor.shutdown();
            if (victim.getLifecycleService().isRunning()) {
                victim.shutdown();
            }
        }
    }
}
