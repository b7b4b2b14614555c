package io.heliograph.edge.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.heliograph.edge.delivery.ChannelDispatcher.Admission;
import io.heliograph.edge.delivery.ChannelDispatcher.Progress;
import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.HistoryPage;

class ChannelDispatcherTest {

    private static final OutboundFrame ATTACHED = OutboundFrame.of("{\"type\":\"attached\"}");

    static final class Recorder implements Subscriber {
        final String id;
        final List<String> serials = new ArrayList<>();
        final List<String> types = new ArrayList<>();
        int capacity = Integer.MAX_VALUE;
        boolean closing;

        Recorder(String id) {
            this.id = id;
        }

        @Override
        public String connectionId() {
            return id;
        }

        @Override
        public Offer offer(OutboundFrame frame) {
            if (closing) {
                return Offer.CLOSED;
            }
            if (types.size() >= capacity) {
                return Offer.FULL;
            }
            var node = Json.parse(frame.text());
            types.add(node.get("type").asText());
            if (node.has("serial") && "message".equals(node.get("type").asText())) {
                serials.add(node.get("serial").asText());
            }
            return Offer.QUEUED;
        }

        @Override
        public boolean awaitRoom(int frames, long bytes, long timeoutNs) {
            return true;
        }

        @Override
        public void abandon(Abandon why) {
            closing = true;
        }
    }

    static final class CountingMetrics implements DeliveryMetrics {
        final AtomicInteger slow = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger unrecoverable = new AtomicInteger();

        @Override
        public void delivered(int frames) {
        }

        @Override
        public void droppedSlowConsumer(int messages) {
            slow.addAndGet(messages);
        }

        @Override
        public void droppedConnectionClosed(int messages) {
            closed.addAndGet(messages);
        }

        @Override
        public void droppedNoSubscribers() {
        }

        @Override
        public void gapFilled() {
        }

        @Override
        public void gapUnrecoverable() {
            unrecoverable.incrementAndGet();
        }

        @Override
        public void repairRetried() {
        }

        @Override
        public void repairFailed() {
        }
    }

    private final List<ChannelDispatcher> lost = new ArrayList<>();
    private final CountingMetrics metrics = new CountingMetrics();

    private ChannelDispatcher dispatcher(int recent) {
        return new ChannelDispatcher("c", recent, Long.MAX_VALUE, metrics, lost::add);
    }

    private static ChannelMessage msg(long seq) {
        return new ChannelMessage("c", Serial.of(1, seq), "m" + seq, null, "1", "x", "r", seq);
    }

    private static HistoryPage page(boolean more, long... seqs) {
        List<ChannelMessage> messages = new ArrayList<>();
        for (long s : seqs) {
            messages.add(msg(s));
        }
        return new HistoryPage(messages, more);
    }

    @Test
    void restoresOrderAcrossPublishersAndDropsDuplicates() {
        ChannelDispatcher d = dispatcher(16);
        Recorder r = new Recorder("a");
        d.initialize(null);
        assertEquals(Admission.LIVE, d.admit(r, null, false, ATTACHED));
        assertTrue(d.onMessage(msg(2)));
        assertTrue(d.onMessage(msg(3)));
        assertFalse(d.onMessage(msg(1)));
        d.onMessage(msg(2));
        d.onMessage(msg(4));
        assertEquals(List.of("1:1", "1:2", "1:3", "1:4"), r.serials);
    }

    @Test
    void theAttachAnswerComesBeforeAnyMessage() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        d.onMessage(msg(1));
        Recorder r = new Recorder("a");
        d.admit(r, null, false, ATTACHED);
        assertEquals(List.of("attached", "message"), r.types);
    }

    @Test
    void buffersUntilInitializedThenStartsAfterTheLatestSerial() {
        ChannelDispatcher d = dispatcher(16);
        d.onMessage(msg(5));
        d.onMessage(msg(6));
        d.initialize(Serial.of(1, 5));
        Recorder r = new Recorder("a");
        d.admit(r, Serial.of(1, 5), false, ATTACHED);
        d.onMessage(msg(7));
        assertEquals(List.of("1:6", "1:7"), r.serials);
    }

    @Test
    void fillsAGapFromHistoryAndSkipsWhatHistoryLost() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        Recorder r = new Recorder("a");
        d.admit(r, null, false, ATTACHED);
        d.onMessage(msg(1));
        d.onMessage(msg(3));
        assertTrue(d.hasGap());
        assertEquals(Progress.DONE, d.repair(page(false, 2, 3)));
        assertEquals(List.of("1:1", "1:2", "1:3"), r.serials);
        d.onMessage(msg(5));
        d.repair(page(false));
        assertEquals(List.of("1:1", "1:2", "1:3", "1:5"), r.serials);
        assertFalse(d.hasGap());
        assertEquals(1, metrics.unrecoverable.get());
    }

    @Test
    void lateSubscriberIsReplayedFromTheRecentBufferAfterItsCursor() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        for (int i = 1; i <= 5; i++) {
            d.onMessage(msg(i));
        }
        Recorder late = new Recorder("late");
        assertEquals(Admission.LIVE, d.admit(late, Serial.of(1, 3), false, ATTACHED));
        assertEquals(List.of("1:4", "1:5"), late.serials);
    }

    @Test
    void aCatchingUpSubscriberReceivesNoLiveMessageUntilItHasCaughtUp() {
        ChannelDispatcher d = dispatcher(2);
        d.initialize(null);
        for (int i = 1; i <= 5; i++) {
            d.onMessage(msg(i));
        }
        Recorder late = new Recorder("late");
        assertEquals(Admission.CATCHING_UP, d.admit(late, Serial.of(1, 1), false, ATTACHED));
        assertTrue(d.isCatchingUp("late"));
        d.onMessage(msg(6));
        d.onMessage(msg(7));
        assertEquals(List.of(), late.serials, "nothing live while behind");
        assertEquals(Serial.of(1, 1), d.cursorOf("late"));
        assertEquals(Progress.MORE, d.catchUp("late", page(true, 2, 3)));
        assertEquals(Progress.DONE, d.catchUp("late", page(true, 4, 5)), "the recent buffer (6, 7) covers the rest");
        d.onMessage(msg(8));
        assertEquals(List.of("1:2", "1:3", "1:4", "1:5", "1:6", "1:7", "1:8"), late.serials);
        assertFalse(d.isCatchingUp("late"));
    }

    @Test
    void aCatchUpAheadOfTheNodeStreamGoesLiveWithoutRepeats() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(Serial.of(1, 2));
        Recorder r = new Recorder("r");
        d.onMessage(msg(3));
        d.onMessage(msg(4));
        assertEquals(Admission.LIVE, d.admit(r, Serial.of(1, 4), false, ATTACHED));
        d.onMessage(msg(4));
        d.onMessage(msg(5));
        assertEquals(List.of("1:5"), r.serials);
    }

    @Test
    void historyThatNoLongerHoldsWhatACatchUpNeedsIsCountedAndSkipped() {
        ChannelDispatcher d = dispatcher(2);
        d.initialize(null);
        for (int i = 1; i <= 5; i++) {
            d.onMessage(msg(i));
        }
        Recorder late = new Recorder("late");
        d.admit(late, Serial.of(1, 1), false, ATTACHED);
        assertEquals(Progress.DONE, d.catchUp("late", page(false)));
        assertEquals(List.of("1:4", "1:5"), late.serials);
        assertEquals(1, metrics.unrecoverable.get());
        d.onMessage(msg(6));
        assertEquals(List.of("1:4", "1:5", "1:6"), late.serials);
    }

    @Test
    void attachingTwiceNeverDeliversTwice() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        Recorder r = new Recorder("a");
        d.admit(r, null, false, ATTACHED);
        d.onMessage(msg(1));
        d.onMessage(msg(2));
        assertEquals(Admission.ALREADY_ATTACHED, d.admit(r, Serial.of(1, 1), false, ATTACHED));
        d.onMessage(msg(3));
        assertEquals(List.of("1:1", "1:2", "1:3"), r.serials);
    }

    @Test
    void slowSubscriberIsRemovedWithoutHarmingOthersAndCountedAsSlow() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        Recorder slow = new Recorder("slow");
        slow.capacity = 2; // the attach answer and one message
        Recorder fast = new Recorder("fast");
        d.admit(slow, null, false, ATTACHED);
        d.admit(fast, null, false, ATTACHED);
        for (int i = 1; i <= 3; i++) {
            d.onMessage(msg(i));
        }
        assertEquals(List.of("1:1", "1:2", "1:3"), fast.serials);
        assertFalse(d.hasSubscriber("slow"));
        assertEquals(1, metrics.slow.get());
        assertEquals(0, metrics.closed.get());
        assertEquals(List.of(d), lost, "the hub hears of the lost subscription");
    }

    @Test
    void aClosingSubscriberIsCountedAsClosedNotAsSlow() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        Recorder closing = new Recorder("closing");
        d.admit(closing, null, false, ATTACHED);
        closing.closing = true;
        d.onMessage(msg(1));
        assertEquals(0, metrics.slow.get());
        assertEquals(1, metrics.closed.get());
        assertEquals(0, d.subscriberCount());
    }

    @Test
    void presenceEventsReachOnlySubscribersWithThePresenceCapability() {
        ChannelDispatcher d = dispatcher(16);
        d.initialize(null);
        Recorder with = new Recorder("with");
        Recorder without = new Recorder("without");
        d.admit(with, null, true, ATTACHED);
        d.admit(without, null, false, ATTACHED);
        d.broadcast(OutboundFrame.of("{\"type\":\"presence\"}"));
        assertEquals(List.of("attached", "presence"), with.types);
        assertEquals(List.of("attached"), without.types);
    }
}
