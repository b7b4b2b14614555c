package io.heliograph.edge.hazelcast;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.Serial;

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
}
