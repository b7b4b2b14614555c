package io.heliograph.region.lease;

import java.util.Objects;

/**
 * The record of one named lease: who holds it, under which fencing epoch, and until when by the wall clock of the
 * member that last acquired or renewed it. The record of a name is never removed, so its epoch never decreases: a
 * released lease keeps its epoch with no holder.
 *
 * @param name        the lease's name, e.g. {@code bridge/eu-west}
 * @param holder      who holds it; null when free (released)
 * @param leaseEpoch  grows by one at the start of every tenure (see {@link LeaseRules}); 0 only before the first one
 * @param expiresAtMs wall-clock time after which anyone may acquire it; 0 when free
 */
public record Lease(String name, String holder, long leaseEpoch, long expiresAtMs) {

    public Lease {
        Objects.requireNonNull(name, "name");
        if (leaseEpoch < 0) {
            throw new IllegalArgumentException("leaseEpoch must not be negative: " + leaseEpoch);
        }
    }

    /** True when someone holds it and its expiry has not passed at {@code nowMs}. */
    public boolean heldAt(long nowMs) {
        return holder != null && nowMs < expiresAtMs;
    }

    /** True when {@code holder} holds it under {@code leaseEpoch} (whether or not it has expired). */
    public boolean isHeldBy(String holder, long leaseEpoch) {
        return holder.equals(this.holder) && leaseEpoch == this.leaseEpoch;
    }

    Lease withExpiry(long expiresAtMs) {
        return new Lease(name, holder, leaseEpoch, expiresAtMs);
    }

    Lease released() {
        return new Lease(name, null, leaseEpoch, 0);
    }
}
