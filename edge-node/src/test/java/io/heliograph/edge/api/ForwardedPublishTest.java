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
import io.heliograph.region.presence.PresenceReplication;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;
import io.heliograph.region.sequencing.Commitment;
import io.heliograph.region.forwarding.ForwardOutcome;
import io.heliograph.region.forwarding.ForwardedPublish;
import io.heliograph.protocol.ErrorCode;
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
                PresenceReplication.NONE,
                io.heliograph.edge.config.DurabilityRules.NONE, fabric, new FanOut(fabric, receiver), metrics, "us-east", 65536, System::currentTimeMillis);
        log.attach("orders", fabric.localNodeId(), null);

        EdgeOperations.Published published = operations.publish(new TokenClaims("alice", Instant.MAX,
                Capabilities.all()), "orders", null, "1", "m-1", null);

        assertSame(atHome, published.result());
        assertEquals(Durability.GLOBAL, published.durability());
        assertEquals(List.of(Durability.GLOBAL), askedOfTheHome, "the publisher's durability goes to the home");
        assertTrue(fannedOut.isEmpty(), "it reaches this region's subscribers by replication");
        assertEquals(Map.of(), log.latest(List.of("orders")), "nothing sequenced here");
    }

    @Test
    void aPublishForwardedHereForAChannelThisRegionDoesNotHomeIsRefusedNotForwardedAgain() {
        Sequencer sequencer = new Sequencer("us-east", channel -> new Home("eu-west", 1), log,
                (home, channel, request, durability) -> {
                    throw new AssertionError("forwarded again: two regions would pass it back and forth");
                }, () -> { });
        var fabric = new LocalFabric();
        EdgeOperations operations = new EdgeOperations(log, sequencer, Commitment.regionOnly(),
                new InMemoryPresenceRegistry(), PresenceReplication.NONE,
                io.heliograph.edge.config.DurabilityRules.NONE, fabric, new FanOut(fabric, null), metrics, "us-east", 65536,
                System::currentTimeMillis);

        ForwardOutcome outcome = operations.publishAtHome(new ForwardedPublish("orders", "m-1", null, "1", "bob",
                "ap-south", 1, Durability.REGION, "us-east", 1, 5_000));

        assertEquals(ForwardOutcome.Kind.REFUSED, outcome.kind());
        assertEquals(ErrorCode.UNAVAILABLE, outcome.error());
        assertTrue(outcome.message().contains("disagree"), outcome.message());
        assertEquals(1, metrics.forwardedCount("in", "unavailable"));
    }

    @Test
    void aPublishForwardedToItsHomeIsSequencedAsALocalOneAndItsRetryKeepsTheSerial() {
        Sequencer sequencer = new Sequencer("us-east", channel -> new Home("us-east", 1), log,
                (home, channel, request, durability) -> {
                    throw new AssertionError("this region is the home");
                }, () -> { });
        var fabric = new LocalFabric();
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
        EdgeOperations operations = new EdgeOperations(log, sequencer, Commitment.regionOnly(),
                new InMemoryPresenceRegistry(), PresenceReplication.NONE,
                io.heliograph.edge.config.DurabilityRules.NONE, fabric, new FanOut(fabric, receiver), metrics, "us-east", 65536,
                System::currentTimeMillis);
        log.attach("orders", fabric.localNodeId(), null);
        var forwarded = new ForwardedPublish("orders", "m-1", "evt", "{\"n\":1}", "bob", "ap-south", 42,
                Durability.REGION, "us-east", 1, 5_000);

        ForwardOutcome first = operations.publishAtHome(forwarded);
        ForwardOutcome retry = operations.publishAtHome(forwarded);
        ForwardOutcome tooLarge = operations.publishAtHome(new ForwardedPublish("orders", "m-2", null,
                "\"" + "x".repeat(70_000) + "\"", "bob", "ap-south", 43, Durability.REGION, "us-east", 1, 5_000));

        assertEquals(new ForwardOutcome(ForwardOutcome.Kind.SEQUENCED, 1, 1, null, null), first);
        assertEquals(new ForwardOutcome(ForwardOutcome.Kind.DUPLICATE, 1, 1, null, null), retry);
        assertEquals(ErrorCode.TOO_LARGE, tooLarge.error());
        // A retry is sent on again (its first send may have died with a node); dispatchers drop what they delivered.
        assertEquals(List.of(Serial.of(1, 1)), fannedOut.stream().map(ChannelMessage::serial).distinct().toList(),
                "fanned out here at the home, one message");
        ChannelMessage stored = fannedOut.get(0);
        assertEquals("ap-south", stored.region(), "the message names the region that accepted it");
        assertEquals(42, stored.timestamp(), "with the timestamp fixed there, so a retry is the same message");
        assertEquals("bob", stored.clientId());
    }
}
