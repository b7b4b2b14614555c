package io.heliograph.region.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.AppendResult;
import io.heliograph.region.presence.PresenceRegistry.PresenceEvent;

class FanOutTest {

    /** A region of {@code live} nodes whose links record what was sent over them. */
    static final class RecordingFabric implements RegionFabric {
        final Set<String> live;
        final List<Set<String>> sent = new ArrayList<>();

        RecordingFabric(Set<String> live) {
            this.live = live;
        }

        @Override
        public String localNodeId() {
            return "me";
        }

        @Override
        public Set<String> liveNodes() {
            return live;
        }

        @Override
        public boolean isCoordinator() {
            return true;
        }

        @Override
        public void start(Receiver receiver, Consumer<String> onNodeLeft, Runnable onRejoined,
                          Runnable onRegionMerged) {
        }

        @Override
        public void deliver(Set<String> nodeIds, ChannelMessage message) {
            sent.add(Set.copyOf(nodeIds));
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

    static final class LocalReceiver implements RegionFabric.Receiver {
        final List<ChannelMessage> received = new ArrayList<>();

        @Override
        public void onMessage(ChannelMessage message) {
            received.add(message);
        }

        @Override
        public void onPresence(PresenceEvent event) {
        }
    }

    private static final ChannelMessage MESSAGE =
            new ChannelMessage("c", Serial.of(1, 1), "m", null, "1", "client", "us-east", 1);

    @Test
    void localSubscribersAreReachedDirectlyAndOtherLiveNodesOverTheFabric() {
        RecordingFabric fabric = new RecordingFabric(Set.of("me", "n2", "n3"));
        LocalReceiver local = new LocalReceiver();
        new FanOut(fabric, local).send(AppendResult.sequenced(MESSAGE, null, Set.of("me", "n2", "gone"), 1));
        assertEquals(List.of(MESSAGE), local.received, "this node's hub, without a topic round trip");
        assertEquals(List.of(Set.of("n2")), fabric.sent, "only live nodes with interest, not this one, not 'gone'");
    }

    @Test
    void aDuplicateStillInHistoryIsSentAgainAndOneThatLeftHistoryIsNot() {
        RecordingFabric fabric = new RecordingFabric(Set.of("me", "n2"));
        LocalReceiver local = new LocalReceiver();
        FanOut fanOut = new FanOut(fabric, local);
        fanOut.send(AppendResult.duplicate(MESSAGE, true, Set.of("me", "n2"), 1));
        assertEquals(1, local.received.size());
        assertEquals(List.of(Set.of("n2")), fabric.sent);
        fanOut.send(AppendResult.duplicate(MESSAGE, false, Set.of("me", "n2"), 1));
        assertEquals(1, local.received.size(), "an answer from the idempotency window alone is not sent");
        assertEquals(1, fabric.sent.size());
    }

    @Test
    void withoutALocalReceiverEverythingGoesOverTheFabric() {
        RecordingFabric fabric = new RecordingFabric(Set.of("me", "n2"));
        new FanOut(fabric, null).send(Set.of("me", "n2"), MESSAGE);
        assertEquals(List.of(Set.of("me", "n2")), fabric.sent);
        new FanOut(fabric, null).send(Set.of(), MESSAGE);
        assertTrue(fabric.sent.size() == 1, "nothing sent without interest");
    }
}
