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
import io.heliograph.region.channel.ReplicateResult.Outcome;

/**
 * The state side of a takeover (shared/MULTI-REGION.md, invariants 1, 2 and 6): a home of a mesh sequences an epoch
 * only once it has settled it; a region yielding to a new epoch takes nothing more of the old one past what it holds;
 * the new epoch's first message tells every region where the old one ended.
 */
class ChannelTakeoverTest {

    private static final HistoryLimits LIMITS = new HistoryLimits(100, 3_600_000, 120_000);

    private static PublishRequest request(String msgId) {
        return new PublishRequest(msgId, null, "{\"v\":\"" + msgId + "\"}", "alice", "us-east", 1000);
    }

    private static ChannelMessage message(long epoch, long seq) {
        return new ChannelMessage("c", Serial.of(epoch, seq), "m" + epoch + "-" + seq, null, "1", "alice", "us-east",
                1000 + seq);
    }

    /** A region holding epoch 1 up to {@code seq}, as replicated from its home. */
    private static ChannelState replicaThrough(long seq) {
        ChannelState state = new ChannelState("c");
        Serial previous = null;
        for (long s = 1; s <= seq; s++) {
            assertEquals(Outcome.APPLIED, state.replicate(message(1, s), previous, LIMITS).outcome());
            previous = Serial.of(1, s);
        }
        return state;
    }

    private static List<Serial> serials(ChannelState state) {
        return state.sequencedHistory(null, 100, Long.MAX_VALUE, 2000, LIMITS).messages().stream()
                .map(ChannelMessage::serial).toList();
    }

    @Test
    void aHomeOfAMeshSequencesOnlyOnceSettled() {
        ChannelState state = new ChannelState("c");
        AppendResult unsettled = state.append(1, request("a"), LIMITS, false, true);
        assertTrue(unsettled.unsettled());
        assertNull(state.latest(), "an unsettled append stores nothing");
        assertTrue(state.settle(1, null));
        assertEquals(Serial.of(1, 1), state.append(1, request("a"), LIMITS, false, true).message().serial());
        assertTrue(state.append(2, request("b"), LIMITS, false, true).unsettled(), "every new epoch is settled anew");
    }

    /** Invariant 1: a home restarted from nothing continues after what the others hold, never at 1:1 again. */
    @Test
    void aHomeRestartedFromNothingContinuesAfterWhatItsPeersHold() {
        ChannelState peer = replicaThrough(3);
        ChannelState.HeldTail tail = peer.yieldTo(1);
        assertTrue(tail.accepted());
        assertEquals(Serial.of(1, 3), tail.latest());

        ChannelState restarted = new ChannelState("c");
        assertFalse(restarted.settle(1, tail.latest()), "it must hold what the peers hold before it settles");
        Serial previous = null;
        for (long s = 1; s <= 3; s++) {
            restarted.replicate(message(1, s), previous, LIMITS);
            previous = Serial.of(1, s);
        }
        assertTrue(restarted.settle(1, tail.latest()));
        AppendResult next = restarted.append(1, request("after-restart"), LIMITS, true, true);
        assertEquals(Serial.of(1, 4), next.message().serial());
        assertEquals(Serial.of(1, 3), next.previous());
        // The peer takes it: same epoch, next seq.
        assertEquals(Outcome.APPLIED, peer.replicate(next.message(), next.previous(), LIMITS).outcome());
    }

    /** Invariants 2 and 6: a failover to a new home under epoch 2, with a survivor that holds more than the new home. */
    @Test
    void aNewHomeTakesTheSurvivorsTailAndTheOldHomeIsFencedEverywhere() {
        ChannelState survivor = replicaThrough(4);
        ChannelState newHome = replicaThrough(3);

        ChannelState.HeldTail tail = survivor.yieldTo(2);
        assertEquals(Serial.of(1, 4), tail.latest());
        // The old home (down, not asked) wakes and sends what it sequenced after: never committed, refused.
        assertEquals(Outcome.FENCED, survivor.replicate(message(1, 5), Serial.of(1, 4), LIMITS).outcome());

        assertEquals(Outcome.APPLIED, newHome.replicate(message(1, 4), Serial.of(1, 3), LIMITS).outcome());
        assertTrue(newHome.settle(2, tail.latest()));
        assertTrue(newHome.replicate(message(1, 5), Serial.of(1, 4), LIMITS).outcome() == Outcome.FENCED,
                "the new home, too, refuses the old home's tail past the end it settled");
        AppendResult first = newHome.append(2, request("first-of-2"), LIMITS, true, true);
        assertEquals(Serial.of(2, 1), first.message().serial());
        assertEquals(Serial.of(1, 4), first.previous());
        assertEquals(4, newHome.endOf(1));

        assertEquals(Outcome.APPLIED, survivor.replicate(first.message(), first.previous(), LIMITS).outcome());
        assertEquals(List.of(Serial.of(1, 1), Serial.of(1, 2), Serial.of(1, 3), Serial.of(1, 4), Serial.of(2, 1)),
                serials(survivor));
        assertTrue(survivor.append(1, request("stale"), LIMITS, false, true).fenced());
    }

    @Test
    void aRegionThatYieldedShortOfTheEndTakesTheRestFromTheNewHome() {
        ChannelState behind = replicaThrough(3);
        behind.yieldTo(2);
        // The new home ended epoch 1 at 1:4 (another survivor held it); its first message says so.
        ReplicateResult gap = behind.replicate(message(2, 1), Serial.of(1, 4), LIMITS);
        assertEquals(Outcome.GAP, gap.outcome());
        assertEquals(Serial.of(1, 3), gap.latest());
        assertEquals(Outcome.APPLIED, behind.replicate(message(1, 4), Serial.of(1, 3), LIMITS).outcome(),
                "the end the new home gave admits the missing message of epoch 1");
        assertEquals(Outcome.FENCED, behind.replicate(message(1, 5), Serial.of(1, 4), LIMITS).outcome());
        assertEquals(Outcome.APPLIED, behind.replicate(message(2, 1), Serial.of(1, 4), LIMITS).outcome());
        assertEquals(Serial.of(2, 1), behind.latest());
    }

    @Test
    void aRegionThatWasNotAskedDropsTheUncommittedTailBeyondTheEnd() {
        ChannelState notAsked = replicaThrough(5);
        assertEquals(Outcome.APPLIED, notAsked.replicate(message(2, 1), Serial.of(1, 4), LIMITS).outcome());
        assertEquals(List.of(Serial.of(1, 1), Serial.of(1, 2), Serial.of(1, 3), Serial.of(1, 4), Serial.of(2, 1)),
                serials(notAsked));
        assertEquals(4, notAsked.endOf(1));
    }

    @Test
    void aStaleAskerIsRefusedAndANewHomeCannotSettleWhatItDoesNotHold() {
        ChannelState state = replicaThrough(3);
        assertTrue(state.yieldTo(3).accepted());
        ChannelState.HeldTail stale = state.yieldTo(2);
        assertFalse(stale.accepted());
        assertEquals(3, stale.knownEpoch());
        assertFalse(state.settle(2, Serial.of(1, 3)), "a lower epoch than known is never settled");
        ChannelState short_ = replicaThrough(2);
        assertFalse(short_.settle(2, Serial.of(1, 3)));
        assertTrue(short_.append(2, request("x"), LIMITS, false, true).unsettled());
    }

    @Test
    void aFailedOverChannelWithNoHistoryStartsItsEpochAtOne() {
        ChannelState fresh = new ChannelState("c");
        assertTrue(fresh.settle(2, null));
        AppendResult first = fresh.append(2, request("a"), LIMITS, false, true);
        assertEquals(Serial.of(2, 1), first.message().serial());
        assertNull(first.previous());
    }

    @Test
    void theSettledEpochSurvivesSerialization() throws IOException {
        ChannelState state = new ChannelState("c");
        state.settle(1, null);
        var bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));
        ChannelState copy = ChannelState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(Serial.of(1, 1), copy.append(1, request("a"), LIMITS, false, true).message().serial());
    }

    /** Invariants 3 and 5: a stale home's global publish that a peer fenced is never committed, so never acked. */
    @Test
    void aStaleHomesPublishThatAPeerFencedIsNotCommitted() {
        ChannelState staleHome = new ChannelState("c");
        staleHome.settle(1, null);
        AppendResult kept = staleHome.append(1, request("kept"), LIMITS, true, true);
        AppendResult late = staleHome.append(1, request("late"), LIMITS, true, true);
        assertTrue(staleHome.commitPublished(kept.message().serial()));
        // The new home ended epoch 1 at 1:1 (a peer told this home by fencing 1:2).
        staleHome.fence(2, Serial.of(1, 1));
        assertFalse(staleHome.commitPublished(late.message().serial()));
        assertEquals(List.of(Serial.of(1, 1)), serials(staleHome), "the fenced message left its history");
        assertEquals(Serial.of(1, 1), staleHome.visibleLatest());
    }
}
