package io.heliograph.region.lease;

import java.util.Objects;

/**
 * The answer to an acquire, renew or release: whether it was granted, and the lease's record after it (the new record
 * when granted, the unchanged one when refused; null when refused on a name that was never acquired).
 */
public record LeaseOutcome(boolean granted, Lease lease, Refusal refusal) {

    /** Why a change was refused. */
    public enum Refusal {
        /** Acquire: someone else holds the lease and its expiry has not passed. */
        HELD_BY_ANOTHER,
        /** Renew or release: the caller is not the holder the record names (or the lease is free). */
        NOT_THE_HOLDER,
        /** Renew or release: the caller is the holder, but of an earlier tenure than the record's. */
        STALE_EPOCH,
        /** Renew: the caller's tenure has expired; it must acquire again, under a new epoch. */
        EXPIRED
    }

    public LeaseOutcome {
        if (granted != (refusal == null)) {
            throw new IllegalArgumentException("an outcome is granted exactly when it has no refusal");
        }
        if (granted) {
            Objects.requireNonNull(lease, "a granted outcome carries the new record");
        }
    }

    static LeaseOutcome granted(Lease lease) {
        return new LeaseOutcome(true, lease, null);
    }

    static LeaseOutcome refused(Refusal refusal, Lease current) {
        return new LeaseOutcome(false, current, refusal);
    }
}
