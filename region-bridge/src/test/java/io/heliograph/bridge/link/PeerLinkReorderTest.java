package io.heliograph.bridge.link;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several edge nodes append one channel's messages to the outbound log after sequencing them, so neighbours can be
 * logged in swapped order. The receiver parks an envelope that arrives ahead of its predecessor until the
 * predecessor comes: no Backfill, and no lost continuity even for global publishes, whose predecessor Backfill could
 * not return (it waits, unseen at the origin, for this very region to hold it). A predecessor that never comes on the
 * link is fetched by Backfill after the wait.
 */
class PeerLinkReorderTest extends LinkPairTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String CHANNEL = "room:1";

    @Test
    void swappedNeighboursOfGlobalPublishesAreStoredInOrderWithoutBackfill() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500).withReorderWait(10_000));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        List<AppendResult> sequenced = usEast.sequenceOnly(CHANNEL, 200, true);
        usEast.linkTo(euWest);
        for (int i = 0; i < sequenced.size(); i += 2) {
            usEast.appendForPeers(sequenced.get(i + 1));
            usEast.appendForPeers(sequenced.get(i));
        }

        List<Serial> expected = sequenced.stream().map(AppendResult::message).map(ChannelMessage::serial).toList();
        await("eu-west holds all 200", WAIT, () -> euWest.history(CHANNEL).size() >= 200);
        assertEquals(expected, euWest.history(CHANNEL), "in the home's order, once each");
        ReceiverCounters counters = euWest.service.counters();
        assertEquals(100, counters.parked(), "every second envelope waited for its predecessor");
        assertEquals(0, counters.gaps(), "no Backfill was needed");
        assertEquals(0, counters.unrepairedGaps());
        await("eu-west acknowledges everything", WAIT,
                () -> usEast.outbound.get("eu-west").status().acknowledged() == 200);
        await("so us-east commits its global publishes", WAIT, () -> usEast.history(CHANNEL).size() == 200);
        assertEquals(0, euWest.service.parked("us-east"));
    }

    @Test
    void aPredecessorThatNeverComesOnTheLinkIsBackfilledAfterTheWaitAndOnlyThenAcknowledged() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500).withReorderWait(300));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        List<AppendResult> sequenced = usEast.sequenceOnly(CHANNEL, 3, false);
        usEast.linkTo(euWest);
        usEast.appendForPeers(sequenced.get(0));
        // The second is in us-east's history but its outbound append was lost (its edge node died just after).
        usEast.appendForPeers(sequenced.get(2));

        await("eu-west parks the third", WAIT, () -> euWest.service.parked("us-east") == 1);
        assertEquals(1, euWest.service.heldThrough("us-east"), "a parked envelope is not acknowledged");
        await("then backfills the second and stores the third", WAIT, () -> euWest.history(CHANNEL).size() == 3);
        assertEquals(sequenced.stream().map(AppendResult::message).map(ChannelMessage::serial).toList(),
                euWest.history(CHANNEL));
        assertTrue(euWest.service.counters().parkTimeouts() >= 1);
        assertEquals(2, euWest.service.counters().backfilledMessages(), "the page after 1:1 brings 1:2 and 1:3");
        await("and acknowledges both link entries", WAIT,
                () -> usEast.outbound.get("eu-west").status().acknowledged() == 2);
    }
}
