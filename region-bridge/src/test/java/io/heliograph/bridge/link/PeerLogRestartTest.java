package io.heliograph.bridge.link;

import io.heliograph.bridge.outbound.InMemoryOutboundLog;
import io.heliograph.bridge.outbound.OutboundLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.heliograph.region.testing.RegionTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A region that lost its outbound log (all its processes died together) starts it again at link_seq 1. Its peer,
 * still running, remembers holding through a higher link_seq; without the log's incarnation in the Hello it would
 * acknowledge beyond the new log, the sender would refuse every acknowledgement, and the link would never carry
 * anything again.
 */
class PeerLogRestartTest extends LinkPairTest {

    @Test
    void aPeerWhoseLogStartedAgainIsReceivedFromTheStart() {
        LinkRegion[] regions = regions(LinkTiming.defaults().withBackoff(50, 500, 500));
        LinkRegion usEast = regions[0];
        LinkRegion euWest = regions[1];
        InMemoryOutboundLog first = usEast.outbound.get("eu-west");
        usEast.publish("room:old", 5);
        usEast.linkTo(euWest);
        await("eu-west acknowledged the first life", Duration.ofSeconds(20),
                () -> first.status().acknowledged() == 5);
        long firstIncarnation = first.status().incarnation();

        // us-east loses its log: a new one, at link_seq 1 again, under another incarnation.
        usEast.senders.remove("eu-west").close();
        InMemoryOutboundLog second = new InMemoryOutboundLog("eu-west", OutboundLimits.DEFAULTS,
                System::currentTimeMillis);
        usEast.outbound.put("eu-west", second);
        usEast.publish("room:new", 3);
        assertNotEquals(firstIncarnation, second.status().incarnation());
        LinkSender again = usEast.linkTo(euWest);

        await("eu-west holds the new life's messages", Duration.ofSeconds(20),
                () -> euWest.history("room:new").size() == 3);
        await("and acknowledges within the new log", Duration.ofSeconds(20),
                () -> second.status().acknowledged() == 3);
        assertEquals(1, euWest.service.counters().peerLogRestarts());
        assertEquals(0, again.counters().refusedAcks(), "no acknowledgement beyond the log");
        assertEquals(3, euWest.service.heldThrough("us-east"));
    }
}
