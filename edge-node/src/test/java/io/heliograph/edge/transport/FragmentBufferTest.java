package io.heliograph.edge.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import io.heliograph.protocol.limit.RateLimiter;

class FragmentBufferTest {

    @Test
    void joinsFragmentsAsBytesAndLetsGoOfTheMemoryAfterEachMessage() {
        FragmentBuffer buffer = new FragmentBuffer();
        assertEquals(0, buffer.capacity());
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        buffer.append(new byte[] {'"', e[0]});
        buffer.append(new byte[0]);
        buffer.append(new byte[] {e[1], '"'});
        assertTrue(buffer.inProgress());
        assertEquals(3, buffer.fragments());
        assertEquals(4, buffer.length());
        assertArrayEquals("\"é\"".getBytes(StandardCharsets.UTF_8), buffer.take());
        assertFalse(buffer.inProgress());
        assertEquals(0, buffer.capacity(), "an idle connection holds no buffer");
        buffer.append(new byte[200_000]);
        buffer.release();
        assertEquals(0, buffer.capacity());
        assertEquals(0, buffer.length());
    }

    @Test
    void aFewFragmentsCostOneTokenAndManyCostMore() {
        assertEquals(1, FragmentBuffer.tokens(1));
        assertEquals(1, FragmentBuffer.tokens(16));
        assertEquals(2, FragmentBuffer.tokens(17));
        assertEquals(64, FragmentBuffer.tokens(FragmentBuffer.MAX_FRAGMENTS_PER_MESSAGE));
    }

    @Test
    void aCostlyMessageIsRefusedWithoutSpendingTokens() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(1, 10, () -> now[0]);
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(11));
        assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire(10));
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire(1));
    }
}
