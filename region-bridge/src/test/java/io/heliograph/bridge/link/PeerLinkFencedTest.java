package io.heliograph.bridge.link;

import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stale home (frozen past its failover, waking with its old table) sends global publishes that its peer, which
 * yielded the channel to a new home, fences (shared/MULTI-REGION.md, invariants 3 and 5). The acknowledgement that
 * covers them says so, and the stale home ends the epoch where the peer did before it counts the acknowledgement:
 * nothing fenced is committed, so no publisher is acked and no subscriber sees it.
 */
class PeerLinkFencedTest extends LinkPairTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String CHANNEL = "room:1";

    @Test
    void fencedEnvelopesAreNotCommittedByTheStaleHome() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        usEast.linkTo(euWest);
        usEast.publish(CHANNEL, 2, true);
        await("us-east's first two are held by eu-west and committed", WAIT,
                () -> usEast.history(CHANNEL).size() == 2);

        // eu-west yields the channel to a new home's epoch 2 (a failover while us-east was frozen).
        assertTrue(euWest.log.yieldTo(CHANNEL, 2).accepted());
        List<AppendResult> late = usEast.sequenceOnly(CHANNEL, 2, true);
        late.forEach(usEast::appendForPeers);

        await("eu-west acknowledges the fenced ones", WAIT,
                () -> usEast.outbound.get("eu-west").status().acknowledged() == 4);
        assertEquals(2, euWest.service.counters().fenced(), "refused and counted");
        assertEquals(List.of(Serial.of(1, 1), Serial.of(1, 2)), euWest.history(CHANNEL));
        for (AppendResult result : late) {
            assertFalse(usEast.log.commitPublished(CHANNEL, result.message().serial()),
                    result.message().serial() + " must not be committed: eu-west does not hold it");
        }
        assertEquals(List.of(Serial.of(1, 1), Serial.of(1, 2)), usEast.history(CHANNEL),
                "the stale home's readers never see them");
        assertTrue(usEast.log.append(CHANNEL, 1, new io.heliograph.region.channel.PublishRequest("again", null,
                "1", "c", "us-east", System.currentTimeMillis())).fenced(), "and it sequences no more of epoch 1");
    }
}
