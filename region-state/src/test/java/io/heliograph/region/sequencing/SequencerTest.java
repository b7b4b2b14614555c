package io.heliograph.region.sequencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.channel.PublishRequest;
import io.heliograph.region.channel.ReplicateResult;
import io.heliograph.region.fabric.FanOut;
import io.heliograph.region.fabric.RegionFabric;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

class SequencerTest {

    private static final HistoryLimits LIMITS = new HistoryLimits(100, 3_600_000, 120_000);

    private final InMemoryChannelLog log = new InMemoryChannelLog(LIMITS, System::currentTimeMillis);
    private final Map<String, Home> table = new ConcurrentHashMap<>();
    private final HomeTable homes = channel -> table.getOrDefault(channel, new Home("us-east", 1));
    private final java.util.concurrent.atomic.AtomicInteger fenced = new java.util.concurrent.atomic.AtomicInteger();

    /** us-east's sequencer, without a bridge. */
    private Sequencer local() {
        return new Sequencer("us-east", homes, log, Forwarder.NONE, fenced::incrementAndGet);
    }

    private static PublishRequest request(String msgId) {
        return new PublishRequest(msgId, null, "1", "alice", "us-east", System.currentTimeMillis());
    }

    @Test
    void theHomeSequencesUnderItsEpoch() {
        table.put("c", new Home("us-east", 4));
        AppendResult r = local().sequence("c", request("a"));
        assertEquals(Serial.of(4, 1), r.message().serial());
    }

    @Test
    void aChannelHomedElsewhereIsForwardedToItsHome() {
        table.put("c", new Home("eu-west", 2));
        List<Home> forwardedTo = new ArrayList<>();
        AppendResult answer = AppendResult.sequenced(new ChannelMessage("c", Serial.of(2, 7), "a", null, "1",
                "alice", "us-east", 1), Serial.of(2, 6), Set.of(), 2);
        Sequencer sequencer = new Sequencer("us-east", homes, log, (home, channel, request, durability) -> {
            forwardedTo.add(home);
            return answer;
        }, fenced::incrementAndGet);
        assertSame(answer, sequencer.sequence("c", request("a")));
        assertEquals(List.of(new Home("eu-west", 2)), forwardedTo);
        assertEquals(Map.of(), log.latest(List.of("c")), "nothing sequenced here");
    }

    @Test
    void withoutABridgeAChannelHomedElsewhereIsUnavailable() {
        table.put("c", new Home("eu-west", 2));
        HeliographException e = assertThrows(HeliographException.class,
                () -> local().sequence("c", request("a")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("eu-west"), e.getMessage());
    }

    /** A closed gate (a process woken from a pause) sequences nothing here, but still forwards to another home. */
    @Test
    void aClosedGateRefusesLocalSequencingButNotForwarding() {
        java.util.concurrent.atomic.AtomicReference<String> refusal = new java.util.concurrent.atomic.AtomicReference<>(
                "node paused for 5000 ms");
        AppendResult answer = AppendResult.sequenced(new ChannelMessage("d", Serial.of(2, 1), "b", null, "1",
                "alice", "us-east", 1), null, Set.of(), 2);
        Sequencer sequencer = new Sequencer("us-east", homes, log, (home, channel, request, durability) -> answer,
                Takeover.NONE, fenced::incrementAndGet, refusal::get);
        HeliographException e = assertThrows(HeliographException.class, () -> sequencer.sequence("c", request("a")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("paused"), e.getMessage());
        assertEquals(Map.of(), log.latest(List.of("c")), "nothing sequenced while the gate is closed");
        table.put("d", new Home("eu-west", 2));
        assertSame(answer, sequencer.sequence("d", request("b")), "forwarding is not the gate's business");

        refusal.set(null);
        assertEquals(Serial.of(1, 1), sequencer.sequence("c", request("a")).message().serial());
    }

    /** A region whose table is stale (the home moved on) cannot sequence: 503, and the client retries. */
    @Test
    void aStaleTableIsRefusedNotSequenced() {
        log.fence("c", 3, null);
        table.put("c", new Home("us-east", 2));
        HeliographException e = assertThrows(HeliographException.class,
                () -> local().sequence("c", request("a")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(Map.of(), log.latest(List.of("c")));
        assertEquals(1, fenced.get(), "every refusal is counted");
    }

    @Test
    void aReplicatedMessageReachesSubscribersThroughTheFanOutOnceOnly() {
        List<ChannelMessage> delivered = new ArrayList<>();
        RegionFabric fabric = new SingleNodeFabric();
        RegionFabric.Receiver receiver = new RegionFabric.Receiver() {
            @Override
            public void onMessage(ChannelMessage message) {
                delivered.add(message);
            }

            @Override
            public void onPresence(PresenceEvent event) {
            }
        };
        Replication replication = new Replication(log, new FanOut(fabric, receiver));
        log.attach("c", "me", null);
        ChannelMessage m = new ChannelMessage("c", Serial.of(1, 1), "x", null, "1", "bob", "eu-west",
                System.currentTimeMillis());
        assertEquals(ReplicateResult.Outcome.APPLIED, replication.replicate("c", m, null).outcome());
        assertEquals(ReplicateResult.Outcome.DUPLICATE, replication.replicate("c", m, null).outcome());
        assertEquals(List.of(m), delivered);
        assertThrows(IllegalArgumentException.class, () -> replication.replicate("other", m, null));
    }

    private static final class SingleNodeFabric implements RegionFabric {
        @Override
        public String localNodeId() {
            return "me";
        }

        @Override
        public Set<String> liveNodes() {
            return Set.of("me");
        }

        @Override
        public boolean isCoordinator() {
            return true;
        }

        @Override
        public void start(Receiver receiver, java.util.function.Consumer<String> onNodeLeft, Runnable onRejoined,
                          Runnable onRegionMerged) {
        }

        @Override
        public void deliver(Set<String> nodeIds, ChannelMessage message) {
            throw new AssertionError("a single node delivers locally");
        }

        @Override
        public void broadcast(PresenceEvent event) {
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    /** A mesh home takes a channel over once per epoch, before its first serial there, and continues after its end. */
    @Test
    void aMeshHomeTakesAChannelOverBeforeItsFirstSerialInAnEpoch() {
        List<Home> takenOver = new ArrayList<>();
        Takeover takeover = new Takeover() {
            @Override
            public boolean required() {
                return true;
            }

            @Override
            public Serial takeOver(String channel, Home home) {
                takenOver.add(home);
                // What a survivor held of epoch 1, now held here too.
                log.replicate(channel, new ChannelMessage(channel, Serial.of(1, 1), "old", null, "1", "bob",
                        "eu-west", 1), null);
                return Serial.of(1, 1);
            }
        };
        table.put("c", new Home("us-east", 2));
        Sequencer sequencer = new Sequencer("us-east", homes, log, Forwarder.NONE, takeover, fenced::incrementAndGet);
        AppendResult first = sequencer.sequence("c", request("a"));
        assertEquals(Serial.of(2, 1), first.message().serial());
        assertEquals(Serial.of(1, 1), first.previous());
        assertEquals(Serial.of(2, 2), sequencer.sequence("c", request("b")).message().serial());
        assertEquals(List.of(new Home("us-east", 2)), takenOver, "once per epoch");
    }

    @Test
    void aTakeoverThatCannotReachTheOthersIsAnsweredUnavailableAndStoresNothing() {
        Takeover unreachable = new Takeover() {
            @Override
            public boolean required() {
                return true;
            }

            @Override
            public Serial takeOver(String channel, Home home) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "eu-west cannot be asked");
            }
        };
        Sequencer sequencer = new Sequencer("us-east", homes, log, Forwarder.NONE, unreachable,
                fenced::incrementAndGet);
        HeliographException e = assertThrows(HeliographException.class, () -> sequencer.sequence("c", request("a")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(null, log.history("c", null, 10, Long.MAX_VALUE).messages().isEmpty() ? null : "stored");
    }
}
