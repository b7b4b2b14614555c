package io.heliograph.protocol.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final AtomicLong nowNs = new AtomicLong(1_000);

    @Test
    void startsFullAndGivesExactlyItsCapacityAtOnce() {
        TokenBucket bucket = new TokenBucket(90, 100, nowNs::get);
        for (int i = 0; i < 100; i++) {
            assertTrue(bucket.tryTake(), "token " + i);
        }
        assertFalse(bucket.tryTake());
    }

    @Test
    void refillsAtItsRateAndSaysWhenTheNextTokenComes() {
        TokenBucket bucket = new TokenBucket(100, 2, nowNs::get);
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), bucket.nanosUntilNext());
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
        assertEquals(0, bucket.nanosUntilNext());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake());
    }

    @Test
    void neverSavesMoreThanItsCapacity() {
        TokenBucket bucket = new TokenBucket(100, 3, nowNs::get);
        nowNs.addAndGet(TimeUnit.SECONDS.toNanos(60));
        int taken = 0;
        while (bucket.tryTake()) {
            taken++;
        }
        assertEquals(3, taken);
    }

    @Test
    void emptySpendsWhatWasSaved() {
        TokenBucket bucket = new TokenBucket(100, 50, nowNs::get);
        bucket.empty();
        assertFalse(bucket.tryTake());
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
        assertTrue(bucket.tryTake());
    }

    /** Over any stretch of time a paced sender stays under the edge's bucket: capacity plus rate times time. */
    @Test
    void overTimeNeverGivesMoreThanCapacityPlusRateTimesElapsed() {
        TokenBucket bucket = new TokenBucket(90, 100, nowNs::get);
        long taken = 0;
        long stepNs = TimeUnit.MILLISECONDS.toNanos(3);
        for (int step = 0; step < 2_000; step++) {
            while (bucket.tryTake()) {
                taken++;
            }
            nowNs.addAndGet(stepNs);
        }
        double elapsedS = 2_000 * stepNs / 1e9;
        assertTrue(taken <= 100 + 90 * elapsedS, taken + " tokens in " + elapsedS + " s");
        assertTrue(taken >= 90 * elapsedS, taken + " tokens in " + elapsedS + " s");
    }

    @Test
    void refusesANonPositiveRateOrACapacityBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 10, nowNs::get));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(10, 0.5, nowNs::get));
    }
}
