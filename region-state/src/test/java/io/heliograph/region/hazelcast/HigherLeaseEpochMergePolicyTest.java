package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.heliograph.region.lease.Lease;

class HigherLeaseEpochMergePolicyTest {

    @Test
    void theHigherEpochWinsWhateverItsExpiry() {
        Lease newerTenure = new Lease("l", "b", 5, 1_000);
        Lease olderTenureRenewedLater = new Lease("l", "a", 4, 9_000);
        assertTrue(HigherLeaseEpochMergePolicy.prefersMerging(newerTenure, olderTenureRenewedLater));
        assertFalse(HigherLeaseEpochMergePolicy.prefersMerging(olderTenureRenewedLater, newerTenure));
    }

    @Test
    void aFreedRecordWithAHigherEpochStillWins() {
        Lease released = new Lease("l", null, 6, 0);
        assertTrue(HigherLeaseEpochMergePolicy.prefersMerging(released, new Lease("l", "a", 5, 9_000)));
    }

    @Test
    void theSameEpochFromBothHalvesGoesToTheLaterExpiryThenTheGreaterHolder() {
        Lease renewedLater = new Lease("l", "a", 5, 9_000);
        Lease renewedEarlier = new Lease("l", "b", 5, 8_000);
        assertTrue(HigherLeaseEpochMergePolicy.prefersMerging(renewedLater, renewedEarlier));
        assertFalse(HigherLeaseEpochMergePolicy.prefersMerging(renewedEarlier, renewedLater));

        Lease byA = new Lease("l", "a", 5, 9_000);
        Lease byB = new Lease("l", "b", 5, 9_000);
        assertTrue(HigherLeaseEpochMergePolicy.prefersMerging(byB, byA), "deterministic on every member");
        assertFalse(HigherLeaseEpochMergePolicy.prefersMerging(byA, byB));
    }

    @Test
    void identicalRecordsKeepWhatTheClusterHas() {
        Lease lease = new Lease("l", "a", 5, 9_000);
        assertFalse(HigherLeaseEpochMergePolicy.prefersMerging(lease, new Lease("l", "a", 5, 9_000)));
    }
}
