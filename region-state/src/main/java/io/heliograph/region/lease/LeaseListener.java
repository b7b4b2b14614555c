package io.heliograph.region.lease;

/**
 * Told by a {@link LeaseKeeper} when its holder starts and stops holding the lease, in that order, on the keeper's
 * own notification thread: keep it short or hand the work off. {@link LeaseKeeper#isHolder()} is the authority at any
 * instant; these calls say when to start and stop acting.
 */
public interface LeaseListener {

    /** Why a keeper stopped holding its lease. */
    enum LossReason {
        /** It could not renew before its own deadline (storage failing or slow, or this process was frozen). */
        DEADLINE_PASSED,
        /** Storage refused the renewal: the tenure expired or another holder took over. */
        RENEW_REFUSED,
        /** The keeper was closed (it released the lease, or tried to). */
        CLOSED
    }

    /** This holder holds {@code lease}; carry {@code lease.leaseEpoch()} on every call made as holder. */
    void gained(Lease lease);

    /** This holder no longer holds {@code lease} (the record of its last tenure) and must stop acting as holder. */
    void lost(Lease lease, LossReason reason);
}
