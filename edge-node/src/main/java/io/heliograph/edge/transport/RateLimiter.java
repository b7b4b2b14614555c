package io.heliograph.edge.transport;

import java.util.function.LongSupplier;

/**
 * Token bucket per connection: {@code ratePerSecond} frames per second with a burst of {@code burst}. A connection
 * that keeps going after being refused ({@code burst} refusals within {@link #ABUSE_WINDOW_NS}) is abusive and is
 * closed. Not thread-safe: one connection's frames are handled one at a time.
 */
final class RateLimiter {

    static final long ABUSE_WINDOW_NS = 10_000_000_000L;

    enum Verdict { ALLOW, REFUSE, ABUSE }

    private final double ratePerNs;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastRefillNs;
    private long abuseWindowStartNs;
    private int refusedInWindow;

    RateLimiter(double ratePerSecond, int burst, LongSupplier nanoTime) {
        this.ratePerNs = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.lastRefillNs = nanoTime.getAsLong();
        this.abuseWindowStartNs = lastRefillNs;
    }

    Verdict acquire() {
        return acquire(1);
    }

    /**
     * Takes {@code cost} tokens (a message that arrived in many fragments costs more than one; see
     * {@link FragmentBuffer#tokens}); a refusal takes none.
     */
    Verdict acquire(int cost) {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastRefillNs) * ratePerNs);
        lastRefillNs = now;
        if (tokens >= cost) {
            tokens -= cost;
            return Verdict.ALLOW;
        }
        if (now - abuseWindowStartNs > ABUSE_WINDOW_NS) {
            abuseWindowStartNs = now;
            refusedInWindow = 0;
        }
        refusedInWindow++;
        return refusedInWindow >= burst ? Verdict.ABUSE : Verdict.REFUSE;
    }
}
