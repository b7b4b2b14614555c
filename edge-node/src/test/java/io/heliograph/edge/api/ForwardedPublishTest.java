package io.heliograph.edge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.edge.observe.EdgeMetrics;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Durability;
import io.heliograph.protocol.Serial;
import io.heliograph.protocol.auth.Capabilities;
import io.heliograph.protocol.auth.TokenClaims;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.fabric.FanOut;
import io.heliograph.region.fabric.LocalFabric;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.presence.InMemoryPresenceRegistry;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;
import io.heliograph.region.sequencing.Commitment;
import io.heliograph.region.sequencing.Home;
import io.heliograph.region.sequencing.Sequencer;

/**
 * A publish on a channel homed in another region is sequenced there: this region does not put it in its own outbound
 * logs, does not wait for its own peers, and does not fan it out (it arrives by replication, like every message the
 * home sequences). The publisher's durability goes to the home.
 */
class ForwardedPublishTest {

    private final EdgeMetrics metrics = new EdgeMetrics("forwarded-" + System.nanoTime());
    private final InMemoryChannelLog log = new InMemoryChannelLog(new HistoryLimits(100, 3_600_000, 120_000),
            System::currentTimeMillis);

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void aChannelHomedElsewhereIsSequencedThereAndNotFannedOutOrCommittedHere() {
        List<Durability> askedOfTheHome = new ArrayList<>();
        AppendResult atHome = AppendResult.sequenced(new ChannelMessage("orders", Serial.of(3, 8), "m-1", null, "1",
                "alice", "us-east", 1), Serial.of(3, 7), Set.of(), 3);
        Sequencer sequencer = new Sequencer("us-east", channel -> new Home("eu-west", 3), log,
                (home, channel, request, durability) -> {
                    askedOfTheHome.add(durability);
                    return atHome;
                }, () -> { });
        List<ChannelMessage> fannedOut = new ArrayList<>();
        RegionFabric.Receiver receiver = new RegionFabric.Receiver() {
            @Override
            public void onMessage(ChannelMessage message) {
                fannedOut.add(message);
            }

            @Override
            public void onPresence(PresenceEvent event) {
            }
        };
        Commitment mustNotBeAsked = new Commitment() {
            @Override
            public void awaitDurable(String channel, AppendResult result, Durability durability) {
                throw new AssertionError("the home makes a forwarded publish durable, not this region");
            }

            @Override
            public Durability byDefault() {
                return Durability.GLOBAL;
            }

            @Override
            public boolean offers(Durability durability) {
                return true;
            }
        };
        var fabric = new LocalFabric();
        EdgeOperations operations = new EdgeOperations(log, sequencer, mustNotBeAsked, new InMemoryPresenceRegistry(),
                fabric, new FanOut(fabric, receiver), metrics, "us-east", 65536, System::currentTimeMillis);
        log.attach("orders", fabric.localNodeId(), null);

        EdgeOperations.Published published = operations.publish(new TokenClaims("alice", Instant.MAX,
                Capabilities.all()), "orders", null, "1", "m-1", null);

        assertSame(atHome, published.result());
        assertEquals(Durability.GLOBAL, published.durability());
        assertEquals(List.of(Durability.GLOBAL), askedOfTheHome, "the publisher's durability goes to the home");
        assertTrue(fannedOut.isEmpty(), "it reaches this region's subscribers by replication");
        assertEquals(Map.of(), log.latest(List.of("orders")), "nothing sequenced here");
    }
}
