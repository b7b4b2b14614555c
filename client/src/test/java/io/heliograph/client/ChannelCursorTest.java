package io.heliograph.client;

import static io.heliograph.client.ChannelCursor.Verdict.DELIVER;
import static io.heliograph.client.ChannelCursor.Verdict.DELIVER_AFTER_GAP;
import static io.heliograph.client.ChannelCursor.Verdict.DUPLICATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.Serial;

class ChannelCursorTest {

    private static Serial s(long epoch, long seq) {
        return Serial.of(epoch, seq);
    }

    @Test
    void firstMessageIsDeliveredAndBecomesTheCursor() {
        ChannelCursor cursor = new ChannelCursor();
        assertNull(cursor.lastSerial());
        assertEquals(DELIVER, cursor.offer(s(3, 17)));
        assertEquals(s(3, 17), cursor.lastSerial());
    }

    @Test
    void consecutiveMessagesAreDelivered() {
        ChannelCursor cursor = new ChannelCursor();
        for (long seq = 1; seq <= 5; seq++) {
            assertEquals(DELIVER, cursor.offer(s(1, seq)));
        }
        assertEquals(s(1, 5), cursor.lastSerial());
    }

    @Test
    void repeatedSerialIsDroppedAsDuplicate() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(1, 1));
        cursor.offer(s(1, 2));
        assertEquals(DUPLICATE, cursor.offer(s(1, 2)));
        assertEquals(s(1, 2), cursor.lastSerial());
    }

    @Test
    void olderSerialArrivingLateIsDroppedAndDoesNotMoveTheCursorBack() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(1, 10));
        assertEquals(DUPLICATE, cursor.offer(s(1, 4)));
        assertEquals(s(1, 10), cursor.lastSerial());
        assertEquals(DELIVER, cursor.offer(s(1, 11)));
    }

    @Test
    void resumeOverlapDeliversOnlyWhatIsNew() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(2, 1));
        cursor.offer(s(2, 2));
        cursor.offer(s(2, 3));
        // After a reconnect the node replays from an older point.
        assertEquals(DUPLICATE, cursor.offer(s(2, 2)));
        assertEquals(DUPLICATE, cursor.offer(s(2, 3)));
        assertEquals(DELIVER, cursor.offer(s(2, 4)));
    }

    @Test
    void newEpochIsAcceptedEvenWithASmallerSeq() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(1, 900));
        assertEquals(DELIVER, cursor.offer(s(2, 0)));
        assertEquals(s(2, 0), cursor.lastSerial());
        assertEquals(DELIVER, cursor.offer(s(2, 1)));
    }

    @Test
    void olderEpochIsDroppedWhateverItsSeq() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(5, 1));
        assertEquals(DUPLICATE, cursor.offer(s(4, 1_000_000)));
        assertEquals(s(5, 1), cursor.lastSerial());
    }

    @Test
    void skipAheadInTheSameEpochIsDeliveredButFlaggedAsGap() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(1, 1));
        assertEquals(DELIVER_AFTER_GAP, cursor.offer(s(1, 5)));
        assertEquals(s(1, 5), cursor.lastSerial());
        assertEquals(DUPLICATE, cursor.offer(s(1, 3)));
    }

    @Test
    void skipToMovesOnlyForward() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.skipTo(null);
        assertNull(cursor.lastSerial());
        cursor.skipTo(s(1, 7));
        assertEquals(s(1, 7), cursor.lastSerial());
        cursor.skipTo(s(1, 3));
        assertEquals(s(1, 7), cursor.lastSerial());
        assertEquals(DUPLICATE, cursor.offer(s(1, 7)));
        assertEquals(DELIVER, cursor.offer(s(1, 8)));
    }

    @Test
    void resetToMovesBackwardsSoARestartedChannelDeliversAgain() {
        ChannelCursor cursor = new ChannelCursor();
        cursor.offer(s(1, 50));
        cursor.resetTo(s(1, 3));
        assertEquals(s(1, 3), cursor.lastSerial());
        assertEquals(DELIVER, cursor.offer(s(1, 4)));
        cursor.resetTo(null);
        assertNull(cursor.lastSerial());
        assertEquals(DELIVER, cursor.offer(s(1, 1)));
    }
}
