package io.heliograph.bridge.link;

import io.heliograph.protocol.Serial;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One stream per pair of regions, wired as the bridge process wires it ({@link LinkRegion#pairWith}): eu-west sorts
 * first, so it dials us-east, and both regions' envelopes, acknowledgements and fenced notices travel on that one
 * stream; us-east dials nothing.
 */
class PeerLinkDuplexTest extends LinkPairTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void bothRegionsMessagesTravelOnTheOneStreamEuWestDialsAndGlobalPublishesAreCommittedBothWays() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        euWest.outboundTo("us-east", io.heliograph.bridge.outbound.OutboundLimits.DEFAULTS);
        List<Serial> fromUs = usEast.publish("room:us", 100);
        List<Serial> fromEu = euWest.publish("room:eu", 100);
        LinkSender accepting = usEast.pairWith(euWest, 0);
        LinkSender dialling = euWest.pairWith(usEast, 0);
        assertTrue(LinkSender.dials("eu-west", "us-east") && !LinkSender.dials("us-east", "eu-west"));
        fromUs.addAll(usEast.publish("room:us", 100));
        fromEu.addAll(euWest.publish("room:eu", 100));
        // Held until the other region holds them: committed by the acknowledgements on the shared stream.
        List<Serial> heldUs = usEast.publish("room:us-global", 20, true);
        List<Serial> heldEu = euWest.publish("room:eu-global", 20, true);

        await("each region holds the other's messages", WAIT, () -> euWest.history("room:us").size() >= 200
                && usEast.history("room:eu").size() >= 200);
        assertEquals(fromUs, euWest.history("room:us"), "us-east's order, once each, in eu-west");
        assertEquals(fromEu, usEast.history("room:eu"), "eu-west's order, once each, in us-east");
        await("global publishes committed at their homes by the other's acknowledgement", WAIT,
                () -> usEast.history("room:us-global").size() == 20 && euWest.history("room:eu-global").size() == 20);
        assertEquals(heldUs, usEast.history("room:us-global"));
        assertEquals(heldEu, euWest.history("room:eu-global"));
        await("both outbound logs trimmed by the acknowledgements", WAIT,
                () -> usEast.outbound.get("eu-west").status().acknowledged() == 220
                        && euWest.outbound.get("us-east").status().acknowledged() == 220);

        assertEquals(1, usEast.service.counters().streamsAccepted(), "eu-west opened one Link stream");
        assertEquals(0, euWest.service.counters().streamsAccepted(), "us-east dialled nothing");
        assertEquals(1, usEast.service.counters().duplexStreams());
        assertEquals(1, euWest.service.counters().duplexStreams());
        assertEquals(LinkState.STREAMING, accepting.state());
        assertEquals(LinkState.STREAMING, dialling.state());
        assertEquals(1, accepting.counters().streamsOpened());
        assertEquals(0, accepting.counters().heartbeatsSent(), "the receiving half's acks are the heartbeats");
        assertEquals(0, usEast.service.counters().duplicates() + euWest.service.counters().duplicates());
        assertEquals(java.util.Set.of("eu-west"), usEast.service.linkedPeers());
        assertEquals(java.util.Set.of("us-east"), euWest.service.linkedPeers());
    }

    @Test
    void aCutStreamResumesBothWaysFromEachOthersAcknowledgementWithNothingLostOrTwice() throws Exception {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        euWest.outboundTo("us-east", io.heliograph.bridge.outbound.OutboundLimits.DEFAULTS);
        CutProxy proxy = closeAfter(new CutProxy(usEast.port()));
        LinkSender accepting = usEast.pairWith(euWest, 0);
        LinkSender dialling = euWest.pairWith(usEast, proxy.port());
        List<Serial> fromUs = usEast.publish("room:us", 100);
        List<Serial> fromEu = euWest.publish("room:eu", 100);
        await("some of each arrived", WAIT, () -> euWest.history("room:us").size() >= 30
                && usEast.history("room:eu").size() >= 30);

        proxy.cut();
        await("both halves noticed the cut", WAIT, () -> accepting.state() != LinkState.STREAMING
                && dialling.state() != LinkState.STREAMING);
        long usSentBeforeCut = accepting.counters().framesSent();
        fromUs.addAll(usEast.publish("room:us", 50));
        fromEu.addAll(euWest.publish("room:eu", 50));
        proxy.restore();

        await("both converged", WAIT, () -> euWest.history("room:us").size() >= 150
                && usEast.history("room:eu").size() >= 150
                && usEast.outbound.get("eu-west").status().acknowledged() == 150
                && euWest.outbound.get("us-east").status().acknowledged() == 150);
        assertEquals(fromUs, euWest.history("room:us"), "no gap, no duplicate, us-east's order");
        assertEquals(fromEu, usEast.history("room:eu"), "no gap, no duplicate, eu-west's order");
        assertEquals(150, new HashSet<>(euWest.history("room:us")).size());
        assertTrue(accepting.counters().streamsOpened() >= 2 && dialling.counters().streamsOpened() >= 2);
        long resumedAfter = accepting.lastResumeAfter();
        assertTrue(resumedAfter > 0, "us-east resumed from eu-west's acknowledgement, not from 0");
        assertEquals(usSentBeforeCut + (150 - resumedAfter), accepting.counters().framesSent(),
                "the accepting side sent again only what followed eu-west's last ack");
        assertEquals(0, euWest.service.counters().streamsAccepted(), "us-east never dialled");
    }

    /**
     * The dialler speaks first, so its Hello may acknowledge an earlier life of the accepting side's log. Without
     * {@code acked_log_incarnation} us-east took eu-west's acknowledgement of 50 for its new log of 10 entries,
     * refused it as beyond the log, and the stream failed at every reconnect: nothing of the new life ever arrived.
     */
    @Test
    void anAcknowledgementOfAnEarlierLifeOfTheAcceptorsLogIsNotTakenForTheNewOne() {
        LinkRegion[] r = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = r[0];
        LinkRegion euWest = r[1];
        LinkSender first = usEast.pairWith(euWest, 0);
        euWest.pairWith(usEast, 0);
        List<Serial> sent = new ArrayList<>(usEast.publish("room:us", 50));
        await("eu-west holds the first life's 50", WAIT, () -> euWest.history("room:us").size() == 50
                && euWest.service.heldThrough("us-east") == 50);

        // us-east's outbound log is lost (its region lost both members holding it): a new life, from link_seq 1.
        first.close();
        usEast.senders.remove("eu-west");
        usEast.outbound.remove("eu-west");
        LinkSender again = usEast.pairWith(euWest, 0);
        sent.addAll(usEast.publish("room:us", 10));

        await("the new life's 10 arrive", WAIT, () -> euWest.history("room:us").size() == 60
                && usEast.outbound.get("eu-west").status().acknowledged() == 10);
        assertEquals(sent, euWest.history("room:us"));
        assertEquals(0, again.counters().refusedAcks(), "no acknowledgement of the old life was taken");
        assertTrue(euWest.service.counters().peerLogRestarts() >= 1);
        assertFalse(again.lastFailure().contains("beyond"), again.lastFailure());
    }
}
