package io.heliograph.region.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EpochFenceTest {

    @Test
    void aLowerEpochThanOneSeenIsRefusedAndCounted() {
        EpochFence fence = new EpochFence();
        assertTrue(fence.admit(3));
        assertTrue(fence.admit(3), "the same tenure again");
        assertTrue(fence.admit(5));
        assertFalse(fence.admit(4));
        assertFalse(fence.admit(3));
        assertEquals(5, fence.highestSeen());
        assertEquals(2, fence.refused());
    }
}
