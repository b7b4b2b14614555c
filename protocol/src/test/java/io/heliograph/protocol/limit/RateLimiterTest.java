package io.heliograph.protocol.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void allowsTheBurstThenTheRate() {
        RateLimiter limiter = new RateLimiter(100, 200, nanos::get);
        for (int i = 0; i < 200; i++) {
            assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire());
        }
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire());
        nanos.addAndGet(100_000_000L); // 100 ms = 10 frames
        for (int i = 0; i < 10; i++) {
            assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire());
        }
        assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire());
    }

    @Test
    void sustainedRefusalsBecomeAbuse() {
        RateLimiter limiter = new RateLimiter(10, 5, nanos::get);
        for (int i = 0; i < 5; i++) {
            limiter.acquire();
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire());
        }
        assertEquals(RateLimiter.Verdict.ABUSE, limiter.acquire());
    }

    @Test
    void refusalsSpreadOverTimeAreNotAbuse() {
        RateLimiter limiter = new RateLimiter(1, 5, nanos::get);
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 5; i++) {
                assertEquals(RateLimiter.Verdict.ALLOW, limiter.acquire());
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(RateLimiter.Verdict.REFUSE, limiter.acquire());
            }
            nanos.addAndGet(RateLimiter.ABUSE_WINDOW_NS + 1);
        }
    }
}
