package io.heliograph.region.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heliograph.region.lease.FreezableLeaseStore;
import io.heliograph.region.lease.Lease;
import io.heliograph.region.lease.LeaseKeeper;
import io.heliograph.region.lease.LeaseListener.LossReason;
import io.heliograph.region.lease.LeaseOutcome;
import io.heliograph.region.lease.LeaseTiming;
import io.heliograph.region.lease.RecordingListener;
import io.heliograph.region.testing.RegionTesting;

/**
 * Keepers with the default timing (TTL 3 s, renewal every second) on in-JVM members of one region: what a bridge
 * replica and its standby will do. The bridge needs a takeover within 5 s of its holder dying or freezing.
 */
class HazelcastLeaseTakeoverTest {

    private static final LeaseTiming TIMING = LeaseTiming.defaults();
    private static final Duration TAKEOVER = Duration.ofSeconds(5);

    private final String lease = "bridge/eu-west-" + UUID.randomUUID();
    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<LeaseKeeper> keepers = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        keepers.forEach(LeaseKeeper::close);
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    private void startRegion(int size) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(RegionTesting.freePort());
        }
        String cluster = "lease-" + System.nanoTime();
        for (int i = 0; i < size; i++) {
            members.add(Hazelcast.newHazelcastInstance(RegionMember.config(
                    RegionTesting.member("node-" + i, ports.get(i), ports, cluster))));
        }
        RegionTesting.await(size + " members", Duration.ofSeconds(60),
                () -> members.getFirst().getCluster().getMembers().size() == size);
        RegionTesting.awaitPartitionsSafe(Duration.ofSeconds(60), members.toArray(HazelcastInstance[]::new));
    }

    private LeaseKeeper keeper(HazelcastInstance member, String name, RecordingListener listener) {
        return keeper(new HazelcastLeaseStore(member), name, listener);
    }

    private LeaseKeeper keeper(io.heliograph.region.lease.LeaseStore store, String name, RecordingListener listener) {
        LeaseKeeper keeper = new LeaseKeeper(store, lease, name, TIMING, listener);
        keepers.add(keeper);
        return keeper;
    }

    @Test
    void twoKeepersRacingForOneLeaseGiveExactlyOneHolder() {
        startRegion(2);
        LeaseKeeper a = keeper(members.get(0), "replica-a", new RecordingListener());
        LeaseKeeper b = keeper(members.get(1), "replica-b", new RecordingListener());
        a.start();
        b.start();
        RegionTesting.await("a holder", Duration.ofSeconds(10), () -> a.isHolder() || b.isHolder());

        // Watch a few renewal rounds: never both, and the first holder keeps it.
        long untilNs = System.nanoTime() + Duration.ofMillis(2 * TIMING.ttlMs()).toNanos();
        while (System.nanoTime() < untilNs) {
            boolean both = a.isHolder() && b.isHolder();
            assertFalse(both, "two holders");
            Thread.onSpinWait();
        }
        assertTrue(a.isHolder() ^ b.isHolder());
        assertEquals(1, a.acquiredCount() + b.acquiredCount());
        assertEquals(0, a.lostCount() + b.lostCount());
        LeaseKeeper holder = a.isHolder() ? a : b;
        Lease stored = new HazelcastLeaseStore(members.get(0)).current(lease).orElseThrow();
        assertEquals(holder.holder(), stored.holder());
        assertEquals(holder.currentEpoch().getAsLong(), stored.leaseEpoch());
    }

    @Test
    void aFrozenHolderIsReplacedWithinFiveSecondsUnderTheNextEpochAndItsRenewalIsRefused() {
        startRegion(2);
        FreezableLeaseStore holderPath = new FreezableLeaseStore(new HazelcastLeaseStore(members.get(0)));
        RecordingListener holderEvents = new RecordingListener();
        RecordingListener standbyEvents = new RecordingListener();
        LeaseKeeper holder = keeper(holderPath, "replica-a", holderEvents).start();
        RegionTesting.await("holder", Duration.ofSeconds(10), holder::isHolder);
        long epoch = holder.currentEpoch().getAsLong();
        LeaseKeeper standby = keeper(members.get(1), "replica-b", standbyEvents).start();
        try {
            holderPath.freeze();
            long frozenAtNs = System.nanoTime();
            RegionTesting.await("standby holds", TAKEOVER, standby::isHolder);
            long takeoverMs = (System.nanoTime() - frozenAtNs) / 1_000_000;
            assertTrue(takeoverMs <= TIMING.ttlMs() + TIMING.renewEveryMs() + 500, "took over after " + takeoverMs);
            assertEquals(epoch + 1, standby.currentEpoch().getAsLong());

            assertFalse(holder.isHolder());
            RecordingListener.Event loss = holderEvents.losses().getFirst();
            assertEquals(LossReason.DEADLINE_PASSED, loss.reason());
            RegionTesting.await("standby told", TAKEOVER, () -> standbyEvents.gains() == 1);
            assertTrue(loss.atMs() <= standbyEvents.events.getFirst().atMs(),
                    "the frozen holder gave up before the standby started");

            LeaseOutcome stale = new HazelcastLeaseStore(members.get(0)).renew(lease, holder.holder(), epoch,
                    TIMING.ttlMs());
            assertFalse(stale.granted());
            assertEquals(LeaseOutcome.Refusal.NOT_THE_HOLDER, stale.refusal());
            assertEquals(epoch + 1, stale.lease().leaseEpoch());
        } finally {
            holderPath.thaw();
        }
        RegionTesting.await("the thawed renewal refused", TAKEOVER, () -> holder.renewFailureCount() >= 1);
        assertFalse(holder.isHolder());
        assertTrue(standby.isHolder());
    }

    @Test
    void theLeaseSurvivesTheLossOfItsPartitionOwnerAndTheStandbyTakesOver() {
        startRegion(3);
        // Partitions are assigned on first use; under load the owner is not known at once.
        RegionTesting.await("the lease's partition has an owner", Duration.ofSeconds(10),
                () -> members.get(0).getPartitionService().getPartition(lease).getOwner() != null);
        // One member's view of the owner: while partitions still migrate, each member's own view may differ.
        var ownerMember = members.get(0).getPartitionService().getPartition(lease).getOwner();
        HazelcastInstance owner = members.stream().filter(m -> m.getCluster().getLocalMember().equals(ownerMember))
                .findFirst().orElseThrow();
        HazelcastInstance survivor = members.stream().filter(m -> m != owner).findFirst().orElseThrow();
        LeaseKeeper holder = keeper(owner, "replica-a", new RecordingListener()).start();
        RegionTesting.await("holder", Duration.ofSeconds(10), holder::isHolder);
        long epoch = holder.currentEpoch().getAsLong();
        LeaseKeeper standby = keeper(survivor, "replica-b", new RecordingListener()).start();

        owner.getLifecycleService().terminate(); // the holder's process and the lease's primary copy, together
        Lease onBackup = new HazelcastLeaseStore(survivor).current(lease).orElseThrow();
        assertEquals(holder.holder(), onBackup.holder(), "the record survived on the backup");
        assertEquals(epoch, onBackup.leaseEpoch());

        RegionTesting.await("standby holds", TAKEOVER, standby::isHolder);
        assertEquals(epoch + 1, standby.currentEpoch().getAsLong(), "counted on from the surviving record, not from 0");
        assertFalse(holder.isHolder());
    }
}
