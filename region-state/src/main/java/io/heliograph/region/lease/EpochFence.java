package io.heliograph.region.lease;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a peer keeps per lease it hears of (a region's bridge lease): the highest epoch seen. A caller whose epoch is
 * lower is a stale holder (frozen, cut off, or simply not yet aware that another took over) and is refused; every
 * refusal is counted. An equal epoch is admitted: it is the same tenure.
 */
public final class EpochFence {

    private final AtomicLong highestSeen = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** True when {@code leaseEpoch} is not lower than any epoch admitted before; the highest is remembered. */
    public boolean admit(long leaseEpoch) {
        long highest = highestSeen.accumulateAndGet(leaseEpoch, Math::max);
        if (leaseEpoch < highest) {
            refused.incrementAndGet();
            return false;
        }
        return true;
    }

    public long highestSeen() {
        return highestSeen.get();
    }

    /** How many callers were refused for a stale epoch. */
    public long refused() {
        return refused.get();
    }
}
