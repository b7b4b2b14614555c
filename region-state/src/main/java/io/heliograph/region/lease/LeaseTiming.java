package io.heliograph.region.lease;

import java.time.Duration;

/**
 * How a {@link LeaseKeeper} holds its lease. With the defaults (TTL 3 s, renewal every second, 500 ms margin) a holder
 * that dies or freezes is replaced within about TTL + one renewal period (4 s), and a holder gets two renewal attempts
 * before its own deadline.
 *
 * @param ttlMs          how long each acquire or renewal holds the lease, by the caller's wall clock
 * @param renewEveryMs   how often the holder renews, and the standby tries to acquire
 * @param safetyMarginMs how long before the stored expiry the holder considers the lease lost, by its own monotonic
 *                       clock; it must exceed the largest difference between any two members' wall clocks (see
 *                       {@link LeaseKeeper})
 */
public record LeaseTiming(long ttlMs, long renewEveryMs, long safetyMarginMs) {

    public static final long DEFAULT_TTL_MS = 3_000;

    public LeaseTiming {
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("lease ttlMs must be positive: " + ttlMs);
        }
        if (safetyMarginMs < 0 || safetyMarginMs >= ttlMs) {
            throw new IllegalArgumentException("lease safetyMarginMs must be in [0, ttlMs=" + ttlMs + "): "
                    + safetyMarginMs);
        }
        if (renewEveryMs <= 0 || renewEveryMs >= ttlMs - safetyMarginMs) {
            throw new IllegalArgumentException("lease renewEveryMs must be in (0, ttlMs - safetyMarginMs = "
                    + (ttlMs - safetyMarginMs) + "), or the holder could never renew before its deadline: "
                    + renewEveryMs);
        }
    }

    /** TTL 3 s, renewal every TTL/3, margin TTL/6. */
    public static LeaseTiming defaults() {
        return ofTtl(Duration.ofMillis(DEFAULT_TTL_MS));
    }

    /** The given TTL, renewal every TTL/3, margin TTL/6. */
    public static LeaseTiming ofTtl(Duration ttl) {
        long ttlMs = ttl.toMillis();
        return new LeaseTiming(ttlMs, Math.max(1, ttlMs / 3), ttlMs / 6);
    }

    /** The same TTL and renewal period with another margin. */
    public LeaseTiming withSafetyMargin(Duration margin) {
        return new LeaseTiming(ttlMs, renewEveryMs, margin.toMillis());
    }

    /** How long after the start of a granted call the holder may act: the stored expiry less the margin. */
    long holdForMs() {
        return ttlMs - safetyMarginMs;
    }
}
