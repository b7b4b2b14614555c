package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.Serial;
import io.heliograph.region.channel.ChannelState;
import io.heliograph.region.channel.HistoryLimits;
import io.heliograph.region.channel.PublishRequest;

class HigherSequenceMergePolicyTest {

    @Test
    void theSideThatSequencedFurtherWins() {
        assertTrue(HigherSequenceMergePolicy.prefersMerging(Serial.of(1, 120), Serial.of(1, 40)));
        assertFalse(HigherSequenceMergePolicy.prefersMerging(Serial.of(1, 40), Serial.of(1, 120)));
        assertTrue(HigherSequenceMergePolicy.prefersMerging(Serial.of(2, 1), Serial.of(1, 500)));
    }

    @Test
    void tiesAndEmptyChannelsKeepWhatTheClusterHas() {
        assertFalse(HigherSequenceMergePolicy.prefersMerging(Serial.of(1, 7), Serial.of(1, 7)));
        assertFalse(HigherSequenceMergePolicy.prefersMerging(null, Serial.of(1, 7)));
        assertFalse(HigherSequenceMergePolicy.prefersMerging(null, null));
        assertTrue(HigherSequenceMergePolicy.prefersMerging(Serial.of(1, 1), null));
    }

    private static final HistoryLimits LIMITS = new HistoryLimits(100, 3_600_000, 120_000);

    private static ChannelState side(String node, int messages) {
        ChannelState state = new ChannelState("c");
        state.attach(node, null, 0, LIMITS);
        for (int i = 0; i < messages; i++) {
            state.append(1, new PublishRequest(node + "-" + i, null, "1", "x", "us-east", 1), LIMITS);
        }
        return state;
    }

    @Test
    void theWinnerKeepsItsSequenceAndHistoryAndBothSidesInterest() {
        ChannelState lone = side("n3", 6);
        ChannelState majority = side("n1", 2);
        majority.attach("n2", null, 0, LIMITS);

        for (ChannelState merged : new ChannelState[] {HigherSequenceMergePolicy.merge(lone, majority),
                HigherSequenceMergePolicy.merge(majority, lone)}) {
            assertEquals(Serial.of(1, 6), merged.latest());
            assertEquals("n3-5", merged.history(null, 10, Long.MAX_VALUE, 1, LIMITS).messages().get(5).msgId());
            assertEquals(Set.of("n1", "n2", "n3"), merged.interestedNodes());
        }
        assertEquals(Set.of("n3"), lone.interestedNodes(), "the sides themselves are not changed");
        assertEquals(Set.of("n1", "n2"), majority.interestedNodes());
    }

    /** Invariant 2 through a split: the side that learned of a new epoch while apart keeps the fence after merging. */
    @Test
    void aFenceLearnedOnEitherSideSurvivesTheMerge() {
        ChannelState lone = side("n3", 6);
        ChannelState majority = side("n1", 2);
        majority.fence(2, null);
        for (ChannelState merged : new ChannelState[] {HigherSequenceMergePolicy.merge(lone, majority),
                HigherSequenceMergePolicy.merge(majority, lone)}) {
            assertEquals(Serial.of(1, 6), merged.latest());
            assertEquals(2, merged.knownEpoch());
            assertTrue(merged.append(1, new PublishRequest("late", null, "1", "x", "us-east", 2), LIMITS).fenced());
        }
    }
}
