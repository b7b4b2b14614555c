package io.heliograph.protocol.limit;

import java.util.function.LongSupplier;

/**
 * The protocol's rate rule for one connection (docs/protocol.md, 429): a {@link TokenBucket} of
 * {@code ratePerSecond} frames per second with a burst of {@code burst}; a connection that keeps going after being
 * refused ({@code burst} refusals within {@link #ABUSE_WINDOW_NS}) is abusive and is closed (1008). The edge enforces
 * it; the SDK's tests play an edge with it. Not thread-safe: one connection's frames are handled one at a time.
 */
public final class RateLimiter {

    public static final long ABUSE_WINDOW_NS = 10_000_000_000L;

    public enum Verdict { ALLOW, REFUSE, ABUSE }

    private final TokenBucket bucket;
    private final int burst;
    private final LongSupplier nanoTime;
    private long abuseWindowStartNs;
    private int refusedInWindow;

    public RateLimiter(double ratePerSecond, int burst, LongSupplier nanoTime) {
        this.bucket = new TokenBucket(ratePerSecond, burst, nanoTime);
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.abuseWindowStartNs = nanoTime.getAsLong();
    }

    public Verdict acquire() {
        return acquire(1);
    }

    /** Takes {@code cost} tokens (a message that arrived in many fragments costs more than one); a refusal takes none. */
    public Verdict acquire(int cost) {
        if (bucket.tryTake(cost)) {
            return Verdict.ALLOW;
        }
        long now = nanoTime.getAsLong();
        if (now - abuseWindowStartNs > ABUSE_WINDOW_NS) {
            abuseWindowStartNs = now;
            refusedInWindow = 0;
        }
        refusedInWindow++;
        return refusedInWindow >= burst ? Verdict.ABUSE : Verdict.REFUSE;
    }
}
