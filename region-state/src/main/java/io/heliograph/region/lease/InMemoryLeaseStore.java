package io.heliograph.region.lease;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Function;

/**
 * {@link LeaseStore} in one process's memory: for tests and a standalone node. {@link #withClock} gives views on the
 * same records through another wall clock, to model callers whose clocks disagree.
 */
public final class InMemoryLeaseStore implements LeaseStore {

    private final Map<String, Lease> leases;
    private final LongSupplier wallMs;

    public InMemoryLeaseStore(LongSupplier wallMs) {
        this(new ConcurrentHashMap<>(), wallMs);
    }

    private InMemoryLeaseStore(Map<String, Lease> leases, LongSupplier wallMs) {
        this.leases = leases;
        this.wallMs = Objects.requireNonNull(wallMs, "wallMs");
    }

    /** The same records, stamped and judged by {@code otherWallMs}: a caller on another machine. */
    public InMemoryLeaseStore withClock(LongSupplier otherWallMs) {
        return new InMemoryLeaseStore(leases, otherWallMs);
    }

    @Override
    public LeaseOutcome acquire(String name, String holder, long ttlMs) {
        long nowMs = wallMs.getAsLong();
        return change(name, current -> LeaseRules.acquire(current, name, holder, ttlMs, nowMs));
    }

    @Override
    public LeaseOutcome renew(String name, String holder, long leaseEpoch, long ttlMs) {
        long nowMs = wallMs.getAsLong();
        return change(name, current -> LeaseRules.renew(current, holder, leaseEpoch, ttlMs, nowMs));
    }

    @Override
    public LeaseOutcome release(String name, String holder, long leaseEpoch) {
        return change(name, current -> LeaseRules.release(current, holder, leaseEpoch));
    }

    @Override
    public Optional<Lease> current(String name) {
        return Optional.ofNullable(leases.get(name));
    }

    private LeaseOutcome change(String name, Function<Lease, LeaseOutcome> rule) {
        LeaseOutcome[] outcome = new LeaseOutcome[1];
        leases.compute(name, (key, current) -> {
            outcome[0] = rule.apply(current);
            return outcome[0].granted() ? outcome[0].lease() : current;
        });
        return outcome[0];
    }
}
