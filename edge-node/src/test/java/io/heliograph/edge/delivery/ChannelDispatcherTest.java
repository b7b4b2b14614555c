package io.heliograph.edge.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Json;
import io.heliograph.protocol.Serial;

class ChannelDispatcherTest {

    static final class Recorder implements Subscriber {
        final String id;
        final List<String> serials = new ArrayList<>();
        int capacity = Integer.MAX_VALUE;

        Recorder(String id) {
            this.id = id;
        }

        @Override
        public String connectionId() {
            return id;
        }

        @Override
        public boolean offer(OutboundFrame frame) {
            if (serials.size() >= capacity) {
                return false;
            }
            serials.add(Json.parse(frame.text()).get("serial").asText());
            return true;
        }
    }

    private static ChannelMessage msg(long seq) {
        return new ChannelMessage("c", Serial.of(1, seq), "m" + seq, null, "1", "x", "r", seq);
    }

    @Test
    void restoresOrderAcrossPublishersAndDropsDuplicates() {
        ChannelDispatcher d = new ChannelDispatcher("c", 16, DeliveryMetrics.NONE);
        Recorder r = new Recorder("a");
        d.initialize(null);
        assertNull(d.addSubscriber(r, null));
        assertTrue(d.onMessage(msg(2)));
        assertTrue(d.onMessage(msg(3)));
        assertFalse(d.onMessage(msg(1)));
        d.onMessage(msg(2));
        d.onMessage(msg(4));
        assertEquals(List.of("1:1", "1:2", "1:3", "1:4"), r.serials);
    }

    @Test
    void buffersUntilInitializedThenStartsAfterTheLatestSerial() {
        ChannelDispatcher d = new ChannelDispatcher("c", 16, DeliveryMetrics.NONE);
        d.onMessage(msg(5));
        d.onMessage(msg(6));
        d.initialize(Serial.of(1, 5));
        Recorder r = new Recorder("a");
        d.addSubscriber(r, Serial.of(1, 5));
        d.onMessage(msg(7));
        assertEquals(List.of("1:6", "1:7"), r.serials);
    }

    @Test
    void fillsAGapFromHistoryAndSkipsWhatHistoryLost() {
        ChannelDispatcher d = new ChannelDispatcher("c", 16, DeliveryMetrics.NONE);
        d.initialize(null);
        Recorder r = new Recorder("a");
        d.addSubscriber(r, null);
        d.onMessage(msg(1));
        d.onMessage(msg(3));
        assertTrue(d.hasGap());
        d.fillGap(List.of(msg(2), msg(3)));
        assertEquals(List.of("1:1", "1:2", "1:3"), r.serials);
        d.onMessage(msg(5));
        d.fillGap(List.of());
        assertEquals(List.of("1:1", "1:2", "1:3", "1:5"), r.serials);
        assertFalse(d.hasGap());
    }

    @Test
    void lateSubscriberIsReplayedFromTheRecentBufferAfterItsCursor() {
        ChannelDispatcher d = new ChannelDispatcher("c", 16, DeliveryMetrics.NONE);
        d.initialize(null);
        for (int i = 1; i <= 5; i++) {
            d.onMessage(msg(i));
        }
        Recorder late = new Recorder("late");
        assertNull(d.addSubscriber(late, Serial.of(1, 3)));
        assertEquals(List.of("1:4", "1:5"), late.serials);
    }

    @Test
    void subscriberBehindTheRecentBufferAsksForHistory() {
        ChannelDispatcher d = new ChannelDispatcher("c", 2, DeliveryMetrics.NONE);
        d.initialize(null);
        for (int i = 1; i <= 5; i++) {
            d.onMessage(msg(i));
        }
        Recorder late = new Recorder("late");
        ChannelDispatcher.Backfill backfill = d.addSubscriber(late, Serial.of(1, 1));
        assertNotNull(backfill);
        assertEquals(Serial.of(1, 1), backfill.after());
        assertNull(d.backfill("late", List.of(msg(2), msg(3), msg(4), msg(5))));
        assertEquals(List.of("1:2", "1:3", "1:4", "1:5"), late.serials);
    }

    @Test
    void attachingTwiceNeverDeliversTwice() {
        ChannelDispatcher d = new ChannelDispatcher("c", 16, DeliveryMetrics.NONE);
        d.initialize(null);
        Recorder r = new Recorder("a");
        d.addSubscriber(r, null);
        d.onMessage(msg(1));
        d.onMessage(msg(2));
        d.addSubscriber(r, Serial.of(1, 1));
        d.onMessage(msg(3));
        assertEquals(List.of("1:1", "1:2", "1:3"), r.serials);
    }

    @Test
    void slowSubscriberIsRemovedWithoutHarmingOthers() {
        ChannelDispatcher d = new ChannelDispatcher("c", 16, DeliveryMetrics.NONE);
        d.initialize(null);
        Recorder slow = new Recorder("slow");
        slow.capacity = 1;
        Recorder fast = new Recorder("fast");
        d.addSubscriber(slow, null);
        d.addSubscriber(fast, null);
        for (int i = 1; i <= 3; i++) {
            d.onMessage(msg(i));
        }
        assertEquals(List.of("1:1", "1:2", "1:3"), fast.serials);
        assertFalse(d.hasSubscriber("slow"));
    }
}
