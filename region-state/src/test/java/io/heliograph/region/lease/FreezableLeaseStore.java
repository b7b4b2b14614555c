package io.heliograph.region.lease;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LeaseStore} in front of another whose changes can be held up, as if the caller's process were frozen
 * (SIGSTOP, a long pause) while its renewal was due: a change made while frozen waits until {@link #thaw()} (at most
 * 30 s), then goes through.
 */
public final class FreezableLeaseStore implements LeaseStore {

    private final LeaseStore store;
    private volatile CountDownLatch thawed = new CountDownLatch(0);

    public FreezableLeaseStore(LeaseStore store) {
        this.store = store;
    }

    public void freeze() {
        thawed = new CountDownLatch(1);
    }

    public void thaw() {
        thawed.countDown();
    }

    private void awaitThaw() {
        try {
            if (!thawed.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("frozen for more than 30 s: a test forgot to thaw");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while frozen", e);
        }
    }

    @Override
    public LeaseOutcome acquire(String name, String holder, long ttlMs) {
        awaitThaw();
        return store.acquire(name, holder, ttlMs);
    }

    @Override
    public LeaseOutcome renew(String name, String holder, long leaseEpoch, long ttlMs) {
        awaitThaw();
        return store.renew(name, holder, leaseEpoch, ttlMs);
    }

    @Override
    public LeaseOutcome release(String name, String holder, long leaseEpoch) {
        awaitThaw();
        return store.release(name, holder, leaseEpoch);
    }

    @Override
    public Optional<Lease> current(String name) {
        return store.current(name);
    }
}
