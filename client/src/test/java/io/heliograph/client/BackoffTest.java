package io.heliograph.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static Backoff backoff(double r) {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> r);
    }

    @Test
    void ceilingDoublesFromInitialUntilTheCap() {
        Backoff b = backoff(0.5);
        assertEquals(100, b.ceiling(0).toMillis());
        assertEquals(200, b.ceiling(1).toMillis());
        assertEquals(400, b.ceiling(2).toMillis());
        assertEquals(3200, b.ceiling(5).toMillis());
        assertEquals(5000, b.ceiling(6).toMillis());
        assertEquals(5000, b.ceiling(1000).toMillis());
        assertEquals(5000, b.ceiling(Integer.MAX_VALUE).toMillis());
    }

    @Test
    void fullJitterSpansZeroToTheCeiling() {
        assertEquals(0, backoff(0.0).delay(3).toMillis());
        assertEquals(800, backoff(0.999_999_9).delay(3).toMillis());
        assertEquals(400, backoff(0.5).delay(3).toMillis());
        assertEquals(5000, backoff(0.999_999_9).delay(50).toMillis());
    }

    @Test
    void delaysStayWithinBoundsForAnyRandom() {
        Random random = new Random(42);
        Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2), random::nextDouble);
        for (int attempt = 0; attempt < 40; attempt++) {
            for (int i = 0; i < 200; i++) {
                long d = b.delay(attempt).toMillis();
                assertTrue(d >= 0 && d <= b.ceiling(attempt).toMillis(), "attempt " + attempt + ": " + d);
            }
        }
    }

    @Test
    void averageDelayGrowsWithAttempts() {
        Random random = new Random(7);
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), random::nextDouble);
        double previous = -1;
        for (int attempt = 0; attempt < 6; attempt++) {
            double sum = 0;
            for (int i = 0; i < 2000; i++) {
                sum += b.delay(attempt).toMillis();
            }
            double mean = sum / 2000;
            assertTrue(mean > previous, "mean at attempt " + attempt + " = " + mean + " <= " + previous);
            assertEquals(b.ceiling(attempt).toMillis() / 2.0, mean, b.ceiling(attempt).toMillis() * 0.05);
            previous = mean;
        }
    }

    @Test
    void outOfRangeRandomFallsBackToZeroInsteadOfExceedingTheCeiling() {
        assertEquals(0, backoff(1.0).delay(2).toMillis());
        assertEquals(0, backoff(-0.1).delay(2).toMillis());
    }

    @Test
    void rejectsInvalidSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> backoff(0.5).delay(-1));
    }

    @Test
    void notAtOnceIsBetweenHalfTheCapAndTheCap() {
        assertEquals(2500, backoff(0).notAtOnce().toMillis());
        assertEquals(5000, backoff(0.99999999).notAtOnce().toMillis());
        long middle = backoff(0.5).notAtOnce().toMillis();
        assertTrue(middle > 2500 && middle < 5000, Long.toString(middle));
    }
}
