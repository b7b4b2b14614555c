package io.heliograph.region.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/**
 * Invariant 3 (no phantoms): a global publish is sequenced at once but seen by readers (history, attach, the sweeps'
 * latest) only once another region holds it; what readers see is always one contiguous prefix of the channel.
 */
class ChannelCommitTest {

    private static final HistoryLimits LIMITS = new HistoryLimits(100, 3_600_000, 120_000);

    private static PublishRequest request(String msgId) {
        return new PublishRequest(msgId, null, "1", "alice", "us-east", 1000);
    }

    private static List<Serial> visible(ChannelState state) {
        return state.history(null, 100, Long.MAX_VALUE, 1000, LIMITS).messages().stream()
                .map(ChannelMessage::serial).toList();
    }

    @Test
    void aHeldMessageIsSequencedButUnseenUntilCommitted() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("a"), LIMITS);
        AppendResult held = state.append(1, request("b"), LIMITS, true);
        assertFalse(held.committed());
        assertEquals(Serial.of(1, 2), held.message().serial());
        assertEquals(Serial.of(1, 2), state.latest(), "sequenced");
        assertEquals(Serial.of(1, 1), state.visibleLatest(), "not seen");
        assertEquals(List.of(Serial.of(1, 1)), visible(state));
        assertEquals(Serial.of(1, 1), state.attach("node", null, 1000, LIMITS).latest());
        assertEquals(2, state.sequencedHistory(null, 100, Long.MAX_VALUE, 1000, LIMITS).messages().size(),
                "a peer's bridge reads it: its holding it is what commits it");
        assertTrue(state.commit(Serial.of(1, 2)));
        assertEquals(List.of(Serial.of(1, 1), Serial.of(1, 2)), visible(state));
        assertFalse(state.commit(Serial.of(1, 2)), "once");
    }

    @Test
    void whatFollowsAHeldMessageWaitsBehindItAndOneCommitReleasesAll() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("g1"), LIMITS, true);
        AppendResult regional = state.append(1, request("r2"), LIMITS);
        assertTrue(regional.committed(), "region durability is committed at once");
        state.append(1, request("g3"), LIMITS, true);
        assertNull(state.visibleLatest(), "the prefix ends before the first held message");
        assertTrue(visible(state).isEmpty());
        state.commit(Serial.of(1, 3));
        assertEquals(List.of(Serial.of(1, 1), Serial.of(1, 2), Serial.of(1, 3)), visible(state),
                "another region holding 1:3 holds all before it");
    }

    @Test
    void aRetryOfAHeldMessageSaysItIsNotCommittedYet() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("g"), LIMITS, true);
        AppendResult retry = state.append(1, request("g"), LIMITS);
        assertTrue(retry.duplicate());
        assertFalse(retry.committed());
        state.commit(Serial.of(1, 1));
        assertTrue(state.append(1, request("g"), LIMITS).committed());
    }

    @Test
    void aTakeoverCommitsWhatItKeepsOfTheOldEpoch() {
        ChannelState state = new ChannelState("c");
        state.append(1, request("a"), LIMITS, true);
        state.append(1, request("b"), LIMITS, true);
        state.fence(2, Serial.of(1, 1));
        assertEquals(Serial.of(1, 1), state.visibleLatest());
        assertEquals(List.of(Serial.of(1, 1)), visible(state));
    }

    @Test
    void heldMessagesSurviveSerialization() throws IOException {
        ChannelState state = new ChannelState("c");
        state.append(1, request("a"), LIMITS);
        state.append(1, request("b"), LIMITS, true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        ChannelState copy = ChannelState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(Serial.of(1, 1), copy.visibleLatest());
        assertTrue(copy.commit(Serial.of(1, 2)));
        assertEquals(Serial.of(1, 2), copy.visibleLatest());
    }
}
