package io.heliograph.bridge.link;

import io.heliograph.bridge.v1.BackfillPage;
import io.heliograph.bridge.v1.BackfillRequest;
import io.heliograph.bridge.v1.MessageEnvelope;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelLog;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.InMemoryChannelLog;
import io.heliograph.region.channel.PublishRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backfill pages from history: each message's previous, epoch ends, and where continuity is lost. */
class PeerLinkBackfillPageTest {

    private final ChannelLog log = new InMemoryChannelLog(new HistoryLimits(10, 3_600_000, 600_000),
            System::currentTimeMillis);
    private final HistoryBackfill backfill = new HistoryBackfill(log, 100, 1024 * 1024);

    private void publish(long epoch, int count) {
        for (int i = 0; i < count; i++) {
            log.append("room:1", epoch, new PublishRequest("m-" + epoch + "-" + i, null, "{}", "c", "us-east",
                    System.currentTimeMillis()));
        }
    }

    private BackfillPage after(Serial from, int limit) {
        BackfillRequest.Builder request = BackfillRequest.newBuilder().setChannel("room:1").setLimit(limit);
        if (from != null) {
            request.setFromSerial(EnvelopeCodec.toWire(from));
        }
        return backfill.page(request.build());
    }

    private static Serial serial(MessageEnvelope envelope) {
        return EnvelopeCodec.fromWire(envelope.getSerial());
    }

    @Test
    void withinAPageEachMessagesPreviousIsTheOneBeforeItAndTheFirstsIsTheRequestedSerial() {
        publish(1, 5);
        BackfillPage page = after(Serial.of(1, 2), 2);
        assertEquals(List.of(Serial.of(1, 3), Serial.of(1, 4)), page.getMessagesList().stream()
                .map(PeerLinkBackfillPageTest::serial).toList());
        assertEquals(Serial.of(1, 2), EnvelopeCodec.previousOf(page.getMessages(0)));
        assertEquals(Serial.of(1, 3), EnvelopeCodec.previousOf(page.getMessages(1)));
        assertTrue(page.getHasMore());
        assertFalse(page.getContinuityLost());
    }

    @Test
    void acrossAnEpochBoundaryPreviousIsWhereTheEpochEndedAndTheEndIsListed() {
        publish(1, 3);
        publish(2, 2);
        BackfillPage fromEnd = after(Serial.of(1, 3), 10);
        assertFalse(fromEnd.getContinuityLost());
        assertEquals(Serial.of(1, 3), EnvelopeCodec.previousOf(fromEnd.getMessages(0)));
        assertEquals(List.of(EnvelopeCodec.toWire(Serial.of(1, 3))), fromEnd.getEpochEndsList());

        BackfillPage spanning = after(Serial.of(1, 1), 10);
        assertEquals(Serial.of(1, 3), EnvelopeCodec.previousOf(spanning.getMessages(2)), "2:1 follows 1:3");
        assertEquals(List.of(EnvelopeCodec.toWire(Serial.of(1, 3))), spanning.getEpochEndsList());
    }

    @Test
    void historyThatNoLongerReachesBackIsContinuityLostAndTheFirstMessageHasNoPrevious() {
        publish(1, 15);
        BackfillPage page = after(Serial.of(1, 2), 10);
        assertTrue(page.getContinuityLost());
        assertEquals(Serial.of(1, 6), serial(page.getMessages(0)), "the oldest of the 10 retained");
        assertFalse(page.getMessages(0).hasPrevious());
        assertEquals(Serial.of(1, 6), EnvelopeCodec.previousOf(page.getMessages(1)));
    }

    @Test
    void aSerialThisRegionNeverHeldBeforeANewEpochIsContinuityLost() {
        publish(1, 3);
        publish(2, 1);
        // 1:7 is not in this region's order (epoch 1 ended at 3 here), so 2:1 does not follow it.
        assertTrue(after(Serial.of(1, 7), 10).getContinuityLost());
    }

    @Test
    void nothingAfterTheLatestIsAnEmptyPageAndAChannelIsRequired() {
        publish(1, 2);
        BackfillPage page = after(Serial.of(1, 2), 10);
        assertEquals(0, page.getMessagesCount());
        assertFalse(page.getHasMore());
        assertFalse(page.getContinuityLost());
        assertThrows(IllegalArgumentException.class, () -> backfill.page(BackfillRequest.getDefaultInstance()));
    }
}
