package io.heliograph.region.lease;

import io.heliograph.region.lease.LeaseOutcome.Refusal;

/**
 * The rules of a lease, engine-free and deterministic given their inputs: each takes the current record (null when
 * the name was never acquired) and the caller's wall-clock reading, and answers the outcome, whose record the store
 * then keeps. Every store (in memory, Hazelcast) applies exactly these, atomically per name.
 *
 * <p><b>Epochs count tenures.</b> A tenure is one holder's uninterrupted hold, from an acquire of a free or expired
 * lease to its expiry or release. Every new tenure gets {@code leaseEpoch + 1}, including the same holder acquiring
 * again after its own lease expired: by then its {@link LeaseKeeper} has told its user the lease was lost (its
 * deadline lies before the expiry), so what it does next is a new tenure, and anything stamped with the old epoch (a
 * stream a peer still holds open) can be refused in favour of the new one. One epoch therefore names exactly one
 * tenure of one holder, which is the property fencing needs.
 *
 * <p>An acquire by the holder of a tenure that has not expired is the same tenure asked for again (its first answer
 * was lost, or failed as indeterminate although the owner applied it): it is granted with the same epoch and a later
 * expiry. That is why holder names must be unique per process lifetime ({@link LeaseKeeper} adds a random suffix).
 * Renew never changes the epoch. Release keeps the record, with its epoch and no holder, so the next tenure still
 * counts up.
 */
public final class LeaseRules {

    private LeaseRules() {
    }

    /** Granted when the lease is free, expired at {@code nowMs}, or already this holder's unexpired tenure. */
    public static LeaseOutcome acquire(Lease current, String name, String holder, long ttlMs, long nowMs) {
        check(name, holder, ttlMs);
        if (current != null && current.heldAt(nowMs)) {
            if (!holder.equals(current.holder())) {
                return LeaseOutcome.refused(Refusal.HELD_BY_ANOTHER, current);
            }
            return LeaseOutcome.granted(current.withExpiry(Math.max(current.expiresAtMs(), nowMs + ttlMs)));
        }
        long epoch = current == null ? 1 : current.leaseEpoch() + 1;
        return LeaseOutcome.granted(new Lease(name, holder, epoch, nowMs + ttlMs));
    }

    /**
     * Granted only to the current holder with the current epoch before expiry; extends the expiry to {@code nowMs +
     * ttlMs} (never shortens it) and keeps the epoch.
     */
    public static LeaseOutcome renew(Lease current, String holder, long leaseEpoch, long ttlMs, long nowMs) {
        check(current == null ? "?" : current.name(), holder, ttlMs);
        Refusal refusal = refusalOfHolder(current, holder, leaseEpoch);
        if (refusal != null) {
            return LeaseOutcome.refused(refusal, current);
        }
        if (!current.heldAt(nowMs)) {
            return LeaseOutcome.refused(Refusal.EXPIRED, current);
        }
        return LeaseOutcome.granted(current.withExpiry(Math.max(current.expiresAtMs(), nowMs + ttlMs)));
    }

    /**
     * Granted only to the current holder with the current epoch, expired or not (while the record still names it,
     * nobody else holds it); the record stays, free, with its epoch.
     */
    public static LeaseOutcome release(Lease current, String holder, long leaseEpoch) {
        Refusal refusal = refusalOfHolder(current, holder, leaseEpoch);
        if (refusal != null) {
            return LeaseOutcome.refused(refusal, current);
        }
        return LeaseOutcome.granted(current.released());
    }

    private static Refusal refusalOfHolder(Lease current, String holder, long leaseEpoch) {
        if (current == null || !holder.equals(current.holder())) {
            return Refusal.NOT_THE_HOLDER;
        }
        return current.leaseEpoch() == leaseEpoch ? null : Refusal.STALE_EPOCH;
    }

    private static void check(String name, String holder, long ttlMs) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("lease name must not be blank");
        }
        if (holder == null || holder.isBlank()) {
            throw new IllegalArgumentException("lease holder must not be blank");
        }
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("lease ttlMs must be positive: " + ttlMs);
        }
    }
}
