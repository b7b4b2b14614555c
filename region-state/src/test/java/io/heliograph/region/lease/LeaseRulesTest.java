package io.heliograph.region.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.heliograph.region.lease.LeaseOutcome.Refusal;

class LeaseRulesTest {

    private static final long TTL = 3_000;

    @Test
    void aLeaseNeverAcquiredIsGrantedUnderEpochOne() {
        LeaseOutcome outcome = LeaseRules.acquire(null, "bridge/eu-west", "a", TTL, 1_000);
        assertTrue(outcome.granted());
        assertEquals(new Lease("bridge/eu-west", "a", 1, 4_000), outcome.lease());
    }

    @Test
    void aHeldLeaseIsRefusedToAnotherUntilItExpires() {
        Lease held = new Lease("l", "a", 4, 5_000);
        LeaseOutcome refused = LeaseRules.acquire(held, "l", "b", TTL, 4_999);
        assertFalse(refused.granted());
        assertEquals(Refusal.HELD_BY_ANOTHER, refused.refusal());
        assertEquals(held, refused.lease(), "a refusal answers the record as it is");

        LeaseOutcome takeover = LeaseRules.acquire(held, "l", "b", TTL, 5_000);
        assertTrue(takeover.granted());
        assertEquals(new Lease("l", "b", 5, 8_000), takeover.lease(), "epoch + 1 on takeover");
    }

    @Test
    void theSameHolderAcquiringAfterItsOwnExpiryStartsANewTenure() {
        Lease expired = new Lease("l", "a", 4, 5_000);
        assertEquals(5, LeaseRules.acquire(expired, "l", "a", TTL, 5_000).lease().leaseEpoch());
    }

    @Test
    void aRepeatedAcquireByTheHolderIsTheSameTenure() {
        Lease held = new Lease("l", "a", 4, 5_000);
        LeaseOutcome again = LeaseRules.acquire(held, "l", "a", TTL, 4_000);
        assertTrue(again.granted());
        assertEquals(new Lease("l", "a", 4, 7_000), again.lease());
    }

    @Test
    void aReleasedLeaseKeepsItsEpochAndTheNextTenureCountsOn() {
        Lease released = LeaseRules.release(new Lease("l", "a", 4, 5_000), "a", 4).lease();
        assertNull(released.holder());
        assertEquals(4, released.leaseEpoch());
        assertFalse(released.heldAt(0));
        assertEquals(new Lease("l", "b", 5, 4_000), LeaseRules.acquire(released, "l", "b", TTL, 1_000).lease());
    }

    @Test
    void renewalExtendsTheTenureAndKeepsItsEpoch() {
        Lease held = new Lease("l", "a", 4, 5_000);
        LeaseOutcome renewed = LeaseRules.renew(held, "a", 4, TTL, 4_000);
        assertTrue(renewed.granted());
        assertEquals(new Lease("l", "a", 4, 7_000), renewed.lease());
        assertEquals(7_000, LeaseRules.renew(renewed.lease(), "a", 4, 1_000, 4_500).lease().expiresAtMs(),
                "a renewal never shortens the tenure");
    }

    @Test
    void renewalIsRefusedToAStaleEpochANonHolderAndAfterExpiry() {
        Lease held = new Lease("l", "a", 4, 5_000);
        assertEquals(Refusal.STALE_EPOCH, LeaseRules.renew(held, "a", 3, TTL, 4_000).refusal());
        assertEquals(Refusal.NOT_THE_HOLDER, LeaseRules.renew(held, "b", 4, TTL, 4_000).refusal());
        assertEquals(Refusal.NOT_THE_HOLDER, LeaseRules.renew(null, "a", 4, TTL, 4_000).refusal());
        assertEquals(Refusal.EXPIRED, LeaseRules.renew(held, "a", 4, TTL, 5_000).refusal());
        assertEquals(Refusal.NOT_THE_HOLDER, LeaseRules.renew(held.released(), "a", 4, TTL, 1_000).refusal());
    }

    @Test
    void releaseIsRefusedToANonHolderAndAStaleEpoch() {
        Lease held = new Lease("l", "a", 4, 5_000);
        assertEquals(Refusal.NOT_THE_HOLDER, LeaseRules.release(held, "b", 4).refusal());
        assertEquals(Refusal.STALE_EPOCH, LeaseRules.release(held, "a", 3).refusal());
        assertEquals(Refusal.NOT_THE_HOLDER, LeaseRules.release(null, "a", 1).refusal());
        assertTrue(LeaseRules.release(held, "a", 4).granted(), "an expired tenure may still be handed back");
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("lease ttlMs must be positive: 0",
                assertThrows(IllegalArgumentException.class, () -> LeaseRules.acquire(null, "l", "a", 0, 0))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> LeaseRules.acquire(null, " ", "a", TTL, 0));
        assertThrows(IllegalArgumentException.class, () -> LeaseRules.acquire(null, "l", null, TTL, 0));
    }

    /** Any sequence of calls by any holders at any times: the stored epoch never decreases, and grows on a new holder. */
    @Test
    void theEpochNeverDecreasesAndGrowsWheneverTheHolderChanges() {
        Random random = new Random(8);
        String[] holders = {"a", "b", "c"};
        Lease record = null;
        long nowMs = 0;
        for (int step = 0; step < 100_000; step++) {
            nowMs += random.nextInt(2_000);
            String holder = holders[random.nextInt(holders.length)];
            long epoch = record == null ? 0 : record.leaseEpoch() - random.nextInt(2);
            LeaseOutcome outcome = switch (random.nextInt(3)) {
                case 0 -> LeaseRules.acquire(record, "l", holder, TTL, nowMs);
                case 1 -> LeaseRules.renew(record, holder, epoch, TTL, nowMs);
                default -> LeaseRules.release(record, holder, epoch);
            };
            if (outcome.granted()) {
                Lease next = outcome.lease();
                long before = record == null ? 0 : record.leaseEpoch();
                assertTrue(next.leaseEpoch() >= before, "epoch went back at step " + step);
                if (next.holder() != null && (record == null || !next.holder().equals(record.holder()))) {
                    assertEquals(before + 1, next.leaseEpoch(), "a new holder gets epoch + 1 at step " + step);
                }
                record = next;
            }
        }
    }
}
