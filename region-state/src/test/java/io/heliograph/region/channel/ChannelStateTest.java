package io.heliograph.region.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;

class ChannelStateTest {

    private static final HistoryLimits LIMITS = new HistoryLimits(5, 60_000, 120_000);

    private static PublishRequest request(String msgId, long nowMs) {
        return new PublishRequest(msgId, "n", "{\"v\":\"" + msgId + "\"}", "alice", "us-east", nowMs);
    }

    @Test
    void sequencesConsecutivelyFromOne() {
        ChannelState state = new ChannelState("c");
        assertNull(state.latest());
        for (int i = 1; i <= 3; i++) {
            AppendResult r = state.append(1, request("m" + i, 1000), LIMITS);
            assertFalse(r.duplicate());
            assertEquals(Serial.of(ChannelState.FIRST_EPOCH, i), r.message().serial());
        }
        assertEquals(Serial.of(1, 3), state.latest());
    }

    @Test
    void sameMsgIdWithinTheWindowAnswersTheFirstSerial() {
        ChannelState state = new ChannelState("c");
        Serial first = state.append(1, request("same", 1000), LIMITS).message().serial();
        state.append(1, request("other", 1001), LIMITS);
        AppendResult again = state.append(1, request("same", 1002), LIMITS);
        assertTrue(again.duplicate());
        assertEquals(first, again.message().serial());
        assertEquals(Serial.of(1, 2), state.latest());
    }

    @Test
    void msgIdIsForgottenAfterTheDedupWindow() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("same", 1000), LIMITS);
        AppendResult later = state.append(1, request("same", 1000 + 120_001), LIMITS);
        assertFalse(later.duplicate());
        assertEquals(Serial.of(1, 2), later.message().serial());
    }

    @Test
    void historyReturnsExactlyTheRequestedRange() {
        ChannelState state = new ChannelState("c");
        for (int i = 1; i <= 5; i++) {
            state.append(1, request("m" + i, 1000), LIMITS);
        }
        HistoryPage page = state.history(Serial.of(1, 1), 2, Long.MAX_VALUE, 1000, LIMITS);
        assertEquals(List.of(Serial.of(1, 2), Serial.of(1, 3)),
                page.messages().stream().map(ChannelMessage::serial).toList());
        assertTrue(page.more());
        HistoryPage rest = state.history(Serial.of(1, 3), 10, Long.MAX_VALUE, 1000, LIMITS);
        assertEquals(List.of(Serial.of(1, 4), Serial.of(1, 5)),
                rest.messages().stream().map(ChannelMessage::serial).toList());
        assertFalse(rest.more());
        assertEquals(5, state.history(null, 100, Long.MAX_VALUE, 1000, LIMITS).messages().size());
    }

    @Test
    void historyIsBoundedByCountAndResumeFromBeforeItLosesContinuity() {
        ChannelState state = new ChannelState("c");
        for (int i = 1; i <= 8; i++) {
            state.append(1, request("m" + i, 1000), LIMITS);
        }
        assertEquals(Serial.of(1, 4), state.history(null, 100, Long.MAX_VALUE, 1000, LIMITS).messages().get(0)
                .serial());
        AttachResult tooOld = state.attach("node", Serial.of(1, 2), 1000, LIMITS);
        assertTrue(tooOld.continuityLost());
        AttachResult justInTime = state.attach("node", Serial.of(1, 3), 1000, LIMITS);
        assertFalse(justInTime.continuityLost());
        assertEquals(Serial.of(1, 8), justInTime.latest());
    }

    @Test
    void historyIsBoundedByAge() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("old", 1000), LIMITS);
        state.append(1, request("new", 50_000), LIMITS);
        assertEquals(1, state.history(null, 100, Long.MAX_VALUE, 61_500, LIMITS).messages().size());
        state.append(1, request("newest", 61_500), LIMITS);
        assertTrue(state.attach("n", Serial.of(0, 0), 61_500, LIMITS).continuityLost());
        assertFalse(state.attach("n", Serial.of(1, 1), 61_500, LIMITS).continuityLost());
    }

    @Test
    void attachRegistersInterestThatAppendsReport() {
        ChannelState state = new ChannelState("c");
        state.attach("node-a", null, 1000, LIMITS);
        state.attach("node-b", null, 1000, LIMITS);
        assertEquals(java.util.Set.of("node-a", "node-b"), state.append(1, request("m", 1000), LIMITS).interestedNodes());
        state.detach("node-a");
        assertEquals(java.util.Set.of("node-b"), state.append(1, request("m2", 1000), LIMITS).interestedNodes());
    }

    @Test
    void survivesSerialization() throws Exception {
        ChannelState state = new ChannelState("c");
        for (int i = 1; i <= 7; i++) {
            state.append(1, request("m" + i, 1000 + i), LIMITS);
        }
        state.attach("node-a", null, 1010, LIMITS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        ChannelState copy = ChannelState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(state.latest(), copy.latest());
        assertEquals(state.history(null, 100, Long.MAX_VALUE, 1010, LIMITS),
                copy.history(null, 100, Long.MAX_VALUE, 1010, LIMITS));
        assertTrue(copy.append(1, request("m7", 1011), LIMITS).duplicate());
        assertTrue(copy.attach("x", Serial.of(1, 1), 1011, LIMITS).continuityLost());
        assertEquals(java.util.Set.of("node-a", "x"), copy.interestedNodes());
    }

    @Test
    void idempotencyKeysKeepTheirPublisherAcrossSerialization() throws Exception {
        ChannelState state = new ChannelState("c");
        state.append(1, new PublishRequest("k", null, "1", "alice", "us-east", 1000), LIMITS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        ChannelState copy = ChannelState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertTrue(copy.append(1, new PublishRequest("k", null, "1", "alice", "us-east", 1001), LIMITS).duplicate());
        AppendResult bob = copy.append(1, new PublishRequest("k", null, "2", "bob", "us-east", 1002), LIMITS);
        assertFalse(bob.duplicate());
        assertEquals(Serial.of(1, 2), bob.message().serial());
    }

    @Test
    void timestampsNeverGoBackwardsWithinAChannel() {
        ChannelState state = new ChannelState("c");
        long first = state.append(1, request("a", 5000), LIMITS).message().timestamp();
        long skewed = state.append(1, request("b", 4000), LIMITS).message().timestamp();
        assertEquals(5000, first);
        assertEquals(5000, skewed, "a publishing node with a slower clock cannot move time back");
        assertEquals(6000, state.append(1, request("c", 6000), LIMITS).message().timestamp());
    }

    @Test
    void expireNowTrimsQuietChannelsButKeepsTheirSequence() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("a", 1000), LIMITS);
        state.append(1, request("b", 2000), LIMITS);
        assertFalse(state.expireNow(30_000, LIMITS));
        assertTrue(state.expireNow(61_500, LIMITS));
        assertEquals(1, state.history(null, 10, Long.MAX_VALUE, 61_500, LIMITS).messages().size());
        assertTrue(state.attach("n", Serial.of(1, 0), 61_500, LIMITS).continuityLost());
        assertEquals(Serial.of(1, 3), state.append(1, request("c", 61_600), LIMITS).message().serial());
    }
}
