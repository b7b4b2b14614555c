package io.heliograph.region.lease;

import java.util.Optional;

/**
 * Where the region keeps its leases: one record per name, changed atomically by {@link LeaseRules}. The store stamps
 * expiries with its caller's wall clock, read before the change is sent, so an expiry is never later than the caller
 * believes.
 *
 * <p>A change either answers its outcome, after it is stored with whatever redundancy the store promises (the
 * Hazelcast store: its synchronous backup), or throws {@link io.heliograph.protocol.HeliographException} with {@code
 * UNAVAILABLE}: then it may or may not have been applied, and the caller must act as if it was refused. A repeated
 * acquire by the same holder settles it (see {@link LeaseRules}).
 */
public interface LeaseStore {

    /** Acquires {@code name} for {@code holder} for {@code ttlMs} when it is free, expired or already its own. */
    LeaseOutcome acquire(String name, String holder, long ttlMs);

    /** Extends the holder's tenure {@code leaseEpoch} to {@code ttlMs} from now, if it is still the current one. */
    LeaseOutcome renew(String name, String holder, long leaseEpoch, long ttlMs);

    /** Frees the lease if {@code holder} holds it under {@code leaseEpoch}; the epoch stays. */
    LeaseOutcome release(String name, String holder, long leaseEpoch);

    /** The record of {@code name}, empty when it was never acquired. Expired records are answered as they are. */
    Optional<Lease> current(String name);
}
