package io.heliograph.protocol.limit;

import java.util.function.LongSupplier;

/**
 * A token bucket on an injected clock: {@code ratePerSecond} tokens a second, at most {@code capacity} saved up. The
 * one bucket of the project: the edge's per-connection {@link RateLimiter} is built on it, and the Java SDK paces its
 * frames with it, so the client stays under the edge's limit by construction.
 *
 * <p>Not thread-safe: its owner serialises calls.
 */
public final class TokenBucket {

    private double ratePerNs;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastRefillNs;

    /** Starts full, as the edge's bucket does for a new connection. */
    public TokenBucket(double ratePerSecond, double capacity, LongSupplier nanoTime) {
        if (!(ratePerSecond > 0) || !(capacity >= 1)) {
            throw new IllegalArgumentException("token bucket needs a positive rate and a capacity of at least 1, got "
                    + ratePerSecond + "/s, " + capacity);
        }
        this.ratePerNs = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.lastRefillNs = nanoTime.getAsLong();
    }

    /** Takes one token if there is one. */
    public boolean tryTake() {
        return tryTake(1);
    }

    /** Takes {@code cost} tokens if there are that many; takes none otherwise. */
    public boolean tryTake(int cost) {
        refill();
        if (tokens >= cost) {
            tokens -= cost;
            return true;
        }
        return false;
    }

    /** Nanoseconds until a token is available; 0 when one is. */
    public long nanosUntilNext() {
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerNs);
    }

    /** Returns a token taken for a frame that was then not sent. */
    public void giveBack() {
        refill();
        tokens = Math.min(capacity, tokens + 1);
    }

    /** Halves the rate, never below {@code minRatePerSecond}. */
    public void halveRate(double minRatePerSecond) {
        refill();
        ratePerNs = Math.max(minRatePerSecond / 1e9, ratePerNs / 2);
    }

    /** Spends every saved token: after a refusal the edge's bucket is empty, so ours should be too. */
    public void empty() {
        refill();
        tokens = 0;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - lastRefillNs) * ratePerNs);
        lastRefillNs = now;
    }
}
