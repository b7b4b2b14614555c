package io.heliograph.edge.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The pause fence on a clock of the test's own: which gaps close the gate, and which nonce opens it again. */
class PauseFenceTest {

    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);
    private final AtomicBoolean holdsTable = new AtomicBoolean(true);
    private final AtomicInteger fences = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();

    private PauseFence fence(long thresholdMs) {
        return new PauseFence(thresholdMs, nowNs::get, holdsTable::get, fences::incrementAndGet,
                refusals::incrementAndGet);
    }

    private void advanceMs(long ms) {
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void ordinaryTicksLeaveTheGateOpen() {
        PauseFence fence = fence(2_000);
        for (int i = 0; i < 50; i++) {
            advanceMs(150);
            fence.tick();
        }
        advanceMs(1_999);
        fence.tick();
        assertNull(fence.refusal());
        assertNull(fence.pendingConfirmation());
        assertEquals(0, fences.get());
    }

    @Test
    void aLongGapClosesTheGateUntilThePendingNonceIsPresented() {
        PauseFence fence = fence(2_000);
        advanceMs(7_500);
        fence.tick();
        String nonce = fence.pendingConfirmation();
        assertNotNull(nonce, "closed after a 7.5 s gap");
        String refusal = fence.refusal();
        assertTrue(refusal.contains("paused for 7500 ms"), refusal);
        assertEquals(1, fences.get());
        assertEquals(1, refusals.get(), "every refusal is counted");

        assertFalse(fence.confirm("another"), "a wrong nonce confirms nothing");
        assertFalse(fence.confirm(null));
        assertNotNull(fence.refusal());
        assertTrue(fence.confirm(nonce));
        assertNull(fence.refusal(), "open again");
        assertFalse(fence.confirm(nonce), "a nonce is good once");
    }

    /** A publish handled on waking, before the ticker's own thread ran, sees the gap itself. */
    @Test
    void aPublishRunBeforeTheTickerAfterAPauseIsRefused() {
        PauseFence fence = fence(2_000);
        fence.tick();
        advanceMs(5_000);
        assertNotNull(fence.refusal(), "no tick since the pause, yet closed");
        assertEquals(1, fences.get());
        fence.tick();
        assertEquals(1, fences.get(), "the ticker that runs next sees no second pause");
    }

    /** Starting (joining the region) is no pause: a publish forwarded before the first tick does not close the gate. */
    @Test
    void beforeItsFirstTickANodeIsStartingNotPaused() {
        PauseFence fence = fence(2_000);
        advanceMs(8_000);
        assertNull(fence.refusal(), "still starting");
        assertEquals(0, fences.get());
    }

    @Test
    void aSecondPauseBeforeTheConfirmationNeedsTheNewNonce() {
        PauseFence fence = fence(2_000);
        advanceMs(3_000);
        fence.tick();
        String first = fence.pendingConfirmation();
        advanceMs(3_000);
        fence.tick();
        String second = fence.pendingConfirmation();
        assertNotEquals(first, second);
        assertFalse(fence.confirm(first), "a push read before the second pause confirms nothing");
        assertTrue(fence.confirm(second));
    }

    @Test
    void withoutAMeshTableOrWithTheFenceOffAPauseClosesNothing() {
        holdsTable.set(false);
        PauseFence fence = fence(2_000);
        advanceMs(10_000);
        fence.tick();
        assertNull(fence.refusal(), "no control plane steers this region: nothing can have moved");

        holdsTable.set(true);
        PauseFence off = fence(0);
        advanceMs(10_000);
        off.tick();
        assertNull(off.refusal());
        assertEquals(0, fences.get());
    }
}
