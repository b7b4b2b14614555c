package io.heliograph.region.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import io.heliograph.region.lease.LeaseOutcome.Refusal;

/** What every {@link LeaseStore} must do, run against each implementation with a clock the test moves. */
public abstract class LeaseStoreContract {

    private static final long TTL = 3_000;

    protected final AtomicLong nowMs = new AtomicLong(1_000_000);
    /** Each test its own lease, so implementations may share one cluster between tests. */
    protected final String name = "lease-" + UUID.randomUUID();

    /** A store whose calls stamp and judge expiry by {@code wallMs}. */
    protected abstract LeaseStore store(LongSupplier wallMs);

    @Test
    void theFirstAcquireIsGrantedUnderEpochOneAndRead() {
        LeaseStore store = store(nowMs::get);
        assertEquals(Optional.empty(), store.current(name));
        LeaseOutcome outcome = store.acquire(name, "a", TTL);
        assertTrue(outcome.granted());
        assertEquals(new Lease(name, "a", 1, nowMs.get() + TTL), outcome.lease());
        assertEquals(Optional.of(outcome.lease()), store.current(name));
    }

    @Test
    void aHeldLeaseIsRefusedToAnotherAndTakenOverAfterExpiryUnderTheNextEpoch() {
        LeaseStore store = store(nowMs::get);
        Lease first = store.acquire(name, "a", TTL).lease();
        LeaseOutcome refused = store.acquire(name, "b", TTL);
        assertEquals(Refusal.HELD_BY_ANOTHER, refused.refusal());
        assertEquals(first, refused.lease());

        nowMs.addAndGet(TTL);
        LeaseOutcome takeover = store.acquire(name, "b", TTL);
        assertTrue(takeover.granted());
        assertEquals("b", takeover.lease().holder());
        assertEquals(first.leaseEpoch() + 1, takeover.lease().leaseEpoch());

        LeaseOutcome staleRenewal = store.renew(name, "a", first.leaseEpoch(), TTL);
        assertEquals(Refusal.NOT_THE_HOLDER, staleRenewal.refusal(), "the old holder's renewal is refused");
        assertEquals(takeover.lease(), store.current(name).orElseThrow());
    }

    @Test
    void renewalKeepsTheEpochAndIsRefusedToAStaleOne() {
        LeaseStore store = store(nowMs::get);
        Lease first = store.acquire(name, "a", TTL).lease();
        nowMs.addAndGet(TTL);
        Lease second = store.acquire(name, "a", TTL).lease();
        assertEquals(first.leaseEpoch() + 1, second.leaseEpoch(), "a new tenure of the same holder");

        assertEquals(Refusal.STALE_EPOCH, store.renew(name, "a", first.leaseEpoch(), TTL).refusal());
        nowMs.addAndGet(1_000);
        LeaseOutcome renewed = store.renew(name, "a", second.leaseEpoch(), TTL);
        assertTrue(renewed.granted());
        assertEquals(second.leaseEpoch(), renewed.lease().leaseEpoch());
        assertEquals(nowMs.get() + TTL, renewed.lease().expiresAtMs());

        nowMs.addAndGet(TTL);
        assertEquals(Refusal.EXPIRED, store.renew(name, "a", second.leaseEpoch(), TTL).refusal());
    }

    @Test
    void releaseOnlyByTheHolderAndTheEpochStays() {
        LeaseStore store = store(nowMs::get);
        Lease held = store.acquire(name, "a", TTL).lease();
        assertEquals(Refusal.NOT_THE_HOLDER, store.release(name, "b", held.leaseEpoch()).refusal());
        assertEquals(held, store.current(name).orElseThrow(), "a refused release changes nothing");

        assertTrue(store.release(name, "a", held.leaseEpoch()).granted());
        Lease free = store.current(name).orElseThrow();
        assertNull(free.holder());
        assertEquals(held.leaseEpoch(), free.leaseEpoch());
        LeaseOutcome next = store.acquire(name, "b", TTL);
        assertEquals(held.leaseEpoch() + 1, next.lease().leaseEpoch(), "released early, taken at once");
    }

    @Test
    void expiryIsJudgedByTheCallersClock() {
        Lease held = store(nowMs::get).acquire(name, "a", TTL).lease();
        LeaseStore clockAhead = store(() -> nowMs.get() + TTL);
        LeaseStore clockBehind = store(() -> nowMs.get() + TTL - 1);
        assertFalse(clockBehind.acquire(name, "b", TTL).granted());
        assertEquals(held.leaseEpoch() + 1, clockAhead.acquire(name, "b", TTL).lease().leaseEpoch());
    }
}
