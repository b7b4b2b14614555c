package io.heliograph.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the delay before retry {@code n} (0-based) is uniform in
 * {@code [0, min(max, initial * 2^n)]}. Full jitter spreads a crowd of clients dropped by the same node over the whole
 * window, instead of bringing them back in synchronized waves.
 */
final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private final DoubleSupplier random;

    /** @param random uniform in [0, 1); injected so tests can pin the jitter */
    Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initialMs = initial.toMillis();
        this.maxMs = max.toMillis();
        this.random = Objects.requireNonNull(random, "random");
        if (initialMs <= 0) {
            throw new IllegalArgumentException("backoff initial must be positive, got " + initial);
        }
        if (maxMs < initialMs) {
            throw new IllegalArgumentException("backoff max (" + max + ") must be at least initial (" + initial + ")");
        }
    }

    /** The upper bound of the delay before retry {@code attempt}. */
    Duration ceiling(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be non-negative, got " + attempt);
        }
        long ceiling = initialMs;
        // Doubling stops at the cap, so the loop is short and cannot overflow.
        for (int i = 0; i < attempt && ceiling < maxMs; i++) {
            ceiling = ceiling > maxMs / 2 ? maxMs : ceiling * 2;
        }
        return Duration.ofMillis(Math.min(ceiling, maxMs));
    }

    /**
     * A delay for when the server said "not at once" (close 1008): uniform in {@code [max/2, max]}, long, yet spread
     * so that clients closed together do not return together.
     */
    Duration notAtOnce() {
        double r = random.getAsDouble();
        if (r < 0 || r >= 1) {
            r = 0;
        }
        long half = maxMs / 2;
        return Duration.ofMillis(half + (long) Math.floor(r * (maxMs - half + 1)));
    }

    /** The delay before retry {@code attempt}, 0 for the first retry after a drop. */
    Duration delay(int attempt) {
        long ceiling = ceiling(attempt).toMillis();
        double r = random.getAsDouble();
        if (r < 0 || r >= 1) {
            r = 0;
        }
        return Duration.ofMillis((long) Math.floor(r * (ceiling + 1)));
    }
}
