package io.heliograph.region.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ChannelMessage;
import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ReplicateResult.Outcome;

/**
 * A channel's life across homes (shared/MULTI-REGION.md): serials are {@code epoch:seq}, a stale epoch is fenced, a
 * replicated message is taken in order only, and history records where each epoch ended.
 */
class ChannelEpochTest {

    private static final HistoryLimits LIMITS = new HistoryLimits(100, 3_600_000, 120_000);

    private static PublishRequest request(String msgId, long nowMs) {
        return new PublishRequest(msgId, null, "{\"v\":\"" + msgId + "\"}", "alice", "us-east", nowMs);
    }

    private static ChannelMessage message(long epoch, long seq, String msgId) {
        return new ChannelMessage("c", Serial.of(epoch, seq), msgId, null, "1", "alice", "eu-west", 1000 + seq);
    }

    private static ChannelState withMessages(long epoch, int count) {
        ChannelState state = new ChannelState("c");
        for (int i = 1; i <= count; i++) {
            state.append(epoch, request("m" + i, 1000 + i), LIMITS);
        }
        return state;
    }

    /** Invariant 2: a region that has seen a higher epoch never assigns serials of a lower one. */
    @Test
    void anAppendUnderAStaleEpochIsFencedAndStoresNothing() {
        ChannelState state = withMessages(1, 2);
        state.append(2, request("m3", 1003), LIMITS);
        AppendResult stale = state.append(1, request("m4", 1004), LIMITS);
        assertTrue(stale.fenced());
        assertEquals(2, stale.knownEpoch());
        assertNull(stale.message());
        assertEquals(Serial.of(2, 1), state.latest());
        // Not even a duplicate is answered under a stale epoch: its original may lie past the epoch's end.
        assertTrue(state.append(1, request("m1", 1005), LIMITS).fenced());
    }

    @Test
    void aFenceAloneStopsTheOldEpoch() {
        ChannelState state = withMessages(1, 2);
        assertTrue(state.fence(2, Serial.of(1, 2)));
        assertTrue(state.append(1, request("late", 1003), LIMITS).fenced());
        assertEquals(Serial.of(2, 1), state.append(2, request("first-of-2", 1004), LIMITS).message().serial());
        assertFalse(state.fence(1, null), "a lower epoch never comes back");
    }

    @Test
    void aNewEpochStartsAtOneAndRecordsWhereTheOldOneEnded() {
        ChannelState state = withMessages(1, 3);
        AppendResult first = state.append(2, request("n1", 1010), LIMITS);
        assertEquals(Serial.of(2, 1), first.message().serial());
        assertEquals(Serial.of(1, 3), first.previous());
        assertEquals(3, state.endOf(1));
        assertEquals(Serial.of(1, 3), state.previousOf(Serial.of(2, 1)));
        assertEquals(Serial.of(2, 1), state.append(2, request("n2", 1011), LIMITS).previous());
    }

    /** Invariant 4: an epoch change alone is not a gap. */
    @Test
    void aResumeAcrossTheEpochBoundaryIsComplete() {
        ChannelState state = withMessages(1, 3);
        state.append(2, request("n1", 1010), LIMITS);
        assertFalse(state.attach("node", Serial.of(1, 3), 1020, LIMITS).continuityLost());
        List<ChannelMessage> after = state.history(Serial.of(1, 2), 10, Long.MAX_VALUE, 1020, LIMITS).messages();
        assertEquals(List.of(Serial.of(1, 3), Serial.of(2, 1)), after.stream().map(ChannelMessage::serial).toList());
    }

    /**
     * Invariants 3 and 6: a home that was cut off sequenced past where the takeover ended its epoch; those messages
     * were never committed. When it learns the new epoch it forgets them, and a client holding one of their serials
     * gets continuity lost rather than a silent resume.
     */
    @Test
    void aStaleHomeForgetsWhatItSequencedPastTheEndOfItsEpoch() {
        ChannelState state = withMessages(1, 5);
        assertTrue(state.fence(2, Serial.of(1, 3)));
        assertEquals(Serial.of(1, 3), state.latest());
        assertEquals(3, state.endOf(1));
        assertTrue(state.attach("node", Serial.of(1, 5), 1020, LIMITS).continuityLost());
        assertFalse(state.attach("node", Serial.of(1, 3), 1020, LIMITS).continuityLost());
        // The forgotten msgIds were never committed: the new home sequences their retries afresh.
        AppendResult retry = state.append(2, request("m4", 1021), LIMITS);
        assertFalse(retry.duplicate());
        assertEquals(Serial.of(2, 1), retry.message().serial());
        assertEquals(Serial.of(1, 3), retry.previous());
    }

    @Test
    void replicatedMessagesAreTakenInOrderOnly() {
        ChannelState state = new ChannelState("c");
        assertEquals(Outcome.APPLIED, state.replicate(message(1, 1, "a"), null, LIMITS).outcome());
        ReplicateResult gap = state.replicate(message(1, 3, "c"), Serial.of(1, 2), LIMITS);
        assertEquals(Outcome.GAP, gap.outcome());
        assertEquals(Serial.of(1, 1), gap.latest(), "where the missing part begins");
        assertEquals(Outcome.APPLIED, state.replicate(message(1, 2, "b"), Serial.of(1, 1), LIMITS).outcome());
        assertEquals(Outcome.APPLIED, state.replicate(message(1, 3, "c"), Serial.of(1, 2), LIMITS).outcome());
        assertEquals(Outcome.DUPLICATE, state.replicate(message(1, 2, "b"), Serial.of(1, 1), LIMITS).outcome());
        assertEquals(Serial.of(1, 3), state.latest());
        assertEquals(3, state.history(null, 10, Long.MAX_VALUE, 1010, LIMITS).messages().size());
    }

    @Test
    void aRegionThatHeldNothingTakesTheFirstMessageButWaitsForTheHistoryBeforeALaterOne() {
        ChannelState state = new ChannelState("c");
        ReplicateResult later = state.replicate(message(1, 5, "e"), Serial.of(1, 4), LIMITS);
        assertEquals(Outcome.GAP, later.outcome(), "1:1..1:4 may still be on their way, or in the home's history");
        assertEquals(null, later.latest(), "nothing held: the gap begins at the start");
        assertEquals(Outcome.APPLIED, new ChannelState("d").replicate(message(1, 1, "a"), null, LIMITS).outcome(),
                "the channel's first message needs nothing before it");
        // When the history cannot be had, the channel starts here mid-way.
        assertEquals(Outcome.APPLIED, state.restartFrom(message(1, 5, "e"), Serial.of(1, 4), LIMITS).outcome());
        assertFalse(state.attach("node", Serial.of(1, 4), 1010, LIMITS).continuityLost());
        assertTrue(state.attach("node", Serial.of(1, 2), 1010, LIMITS).continuityLost(),
                "history here reaches back no further than where it started");
    }

    @Test
    void replicationFollowsTheOrderAcrossEpochs() {
        ChannelState state = new ChannelState("c");
        state.replicate(message(1, 1, "a"), null, LIMITS);
        state.replicate(message(1, 2, "b"), Serial.of(1, 1), LIMITS);
        assertEquals(Outcome.GAP, state.replicate(message(2, 1, "x"), Serial.of(1, 3), LIMITS).outcome(),
                "epoch 1 ended at 3 at the home: 1:3 is missing here");
        assertEquals(Outcome.APPLIED, state.replicate(message(1, 3, "c"), Serial.of(1, 2), LIMITS).outcome());
        assertEquals(Outcome.APPLIED, state.replicate(message(2, 1, "x"), Serial.of(1, 3), LIMITS).outcome());
        assertEquals(3, state.endOf(1));
        assertEquals(2, state.knownEpoch());
    }

    /**
     * A gap nobody can fill any more: the region continues the channel from the message it was sent (so acknowledging
     * it is true), and a reader asking for anything before it is told continuity is lost.
     */
    @Test
    void aRegionContinuesFromAMessageWhosePredecessorsAreGoneWithContinuityLostBeforeIt() {
        ChannelState state = new ChannelState("c");
        state.replicate(message(1, 1, "a"), null, LIMITS);
        assertEquals(Outcome.GAP, state.replicate(message(1, 9, "i"), Serial.of(1, 8), LIMITS).outcome());
        ReplicateResult restarted = state.restartFrom(message(1, 9, "i"), Serial.of(1, 8), LIMITS);
        assertEquals(Outcome.APPLIED, restarted.outcome());
        assertEquals(Serial.of(1, 9), state.latest());
        assertTrue(state.attach("node", Serial.of(1, 1), 1020, LIMITS).continuityLost());
        assertFalse(state.attach("node", Serial.of(1, 8), 1020, LIMITS).continuityLost());
        assertEquals(Outcome.APPLIED, state.replicate(message(1, 10, "j"), Serial.of(1, 9), LIMITS).outcome());
        assertEquals(Outcome.DUPLICATE, state.restartFrom(message(1, 9, "i"), Serial.of(1, 8), LIMITS).outcome());
    }

    /** Invariant 2 on the receiving side: nothing of a left epoch past its end is accepted. */
    @Test
    void aReplicatedMessagePastTheEndOfALeftEpochIsFenced() {
        ChannelState state = new ChannelState("c");
        state.replicate(message(1, 1, "a"), null, LIMITS);
        state.replicate(message(1, 2, "b"), Serial.of(1, 1), LIMITS);
        state.fence(2, Serial.of(1, 2));
        assertEquals(Outcome.FENCED, state.replicate(message(1, 3, "c"), Serial.of(1, 2), LIMITS).outcome());
        assertEquals(Serial.of(1, 2), state.latest());
    }

    /** A retry with the same msgId at a new home is answered with the serial the old home gave it. */
    @Test
    void replicatedMsgIdsAreIdempotencyKeysForTheNextHome() {
        ChannelState state = new ChannelState("c");
        state.replicate(message(1, 1, "once"), null, LIMITS);
        AppendResult retry = state.append(2, request("once", 1500), LIMITS);
        assertTrue(retry.duplicate());
        assertEquals(Serial.of(1, 1), retry.message().serial());
        assertEquals(Serial.of(1, 1), state.latest(), "the retry was not sequenced again");
    }

    @Test
    void epochsSurviveSerialization() throws IOException {
        ChannelState state = withMessages(1, 3);
        state.append(2, request("n1", 1010), LIMITS);
        state.fence(3, Serial.of(2, 1));
        ChannelState copy = roundTrip(state);
        assertEquals(3, copy.knownEpoch());
        assertEquals(3, copy.endOf(1));
        assertEquals(1, copy.endOf(2));
        assertTrue(copy.append(2, request("n2", 1011), LIMITS).fenced());
        assertEquals(Serial.of(3, 1), copy.append(3, request("o1", 1012), LIMITS).message().serial());
    }

    @Test
    void aStateOfAnUnknownFormIsRefusedWithAClearMessage() {
        byte[] bytes = new byte[] {0, 0, 0, 9, 0, 1, 'c'};
        IOException e = assertThrows(IOException.class,
                () -> ChannelState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes))));
        assertTrue(e.getMessage().contains("form 9"), e.getMessage());
    }

    private static ChannelState roundTrip(ChannelState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        return ChannelState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }
}
