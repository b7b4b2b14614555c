package io.heliograph.region.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.heliograph.region.lease.LeaseListener.LossReason;
import io.heliograph.region.testing.RegionTesting;

/** A keeper on real threads and clocks, on the in-memory store, with a short TTL. */
class LeaseKeeperTest {

    private static final LeaseTiming FAST = LeaseTiming.ofTtl(Duration.ofMillis(1_200));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryLeaseStore store = new InMemoryLeaseStore(System::currentTimeMillis);

    @Test
    void aKeeperGainsAFreeLeaseRenewsItAndTellsItsEpoch() {
        RecordingListener listener = new RecordingListener();
        try (LeaseKeeper keeper = new LeaseKeeper(store, "l", "a", FAST, listener).start()) {
            RegionTesting.await("holder", WAIT, keeper::isHolder);
            assertEquals(OptionalLong.of(1), keeper.currentEpoch());
            RegionTesting.await("told", WAIT, () -> listener.gains() == 1);
            assertEquals(1, listener.events.getFirst().lease().leaseEpoch());
            long firstExpiry = store.current("l").orElseThrow().expiresAtMs();
            RegionTesting.await("renewed", WAIT, () -> store.current("l").orElseThrow().expiresAtMs() > firstExpiry);
            assertTrue(keeper.isHolder());
            assertEquals(1, keeper.acquiredCount());
            assertEquals(0, keeper.lostCount());
        }
        assertEquals(LossReason.CLOSED, listener.losses().getFirst().reason());
        assertEquals(null, store.current("l").orElseThrow().holder(), "closing released it");
    }

    @Test
    void closingTheHolderHandsTheLeaseToTheStandbyUnderTheNextEpoch() {
        RecordingListener standbyEvents = new RecordingListener();
        LeaseKeeper holder = new LeaseKeeper(store, "l", "a", FAST, new RecordingListener()).start();
        RegionTesting.await("holder", WAIT, holder::isHolder);
        try (LeaseKeeper standby = new LeaseKeeper(store, "l", "b", FAST, standbyEvents).start()) {
            assertFalse(standby.isHolder());
            holder.close();
            assertFalse(holder.isHolder());
            RegionTesting.await("standby holds", Duration.ofMillis(FAST.renewEveryMs() + 2_000), standby::isHolder);
            assertEquals(OptionalLong.of(2), standby.currentEpoch());
        }
    }

    @Test
    void aHolderWhoseRenewalsHangReportsTheLossBeforeItsLeaseExpires() {
        FreezableLeaseStore frozenPath = new FreezableLeaseStore(store);
        RecordingListener events = new RecordingListener();
        try (LeaseKeeper keeper = new LeaseKeeper(frozenPath, "l", "a", FAST, events).start();
             LeaseKeeper standby = new LeaseKeeper(store, "l", "b", FAST, new RecordingListener())) {
            RegionTesting.await("holder", WAIT, keeper::isHolder);
            standby.start();
            frozenPath.freeze();
            RegionTesting.await("loss reported", WAIT, () -> !events.losses().isEmpty());
            RecordingListener.Event loss = events.losses().getFirst();
            assertEquals(LossReason.DEADLINE_PASSED, loss.reason());
            long lastExpiry = loss.lease().expiresAtMs();
            assertTrue(loss.atMs() < lastExpiry, "told " + (loss.atMs() - lastExpiry) + " ms after expiry");
            RegionTesting.await("standby took over", WAIT, standby::isHolder);
            assertEquals(OptionalLong.of(2), standby.currentEpoch());

            frozenPath.thaw(); // the hung renewal of epoch 1 now arrives, and is refused
            RegionTesting.await("stale renewal refused", WAIT, () -> keeper.renewFailureCount() >= 1);
            assertFalse(keeper.isHolder());
            assertTrue(standby.isHolder());
        } finally {
            frozenPath.thaw();
        }
    }

    @Test
    void aHolderThatWasFrozenIsNoHolderAtItsFirstCheckAfterWaking() {
        AtomicLong nowMs = new AtomicLong(1_000);
        InMemoryLeaseStore store = new InMemoryLeaseStore(nowMs::get);
        RecordingListener events = new RecordingListener();
        LeaseKeeper keeper = new LeaseKeeper(store, "l", "a", LeaseTiming.defaults(), events, nowMs::get,
                () -> nowMs.get() * 1_000_000);
        keeper.tick();
        assertTrue(keeper.isHolder());

        nowMs.addAndGet(LeaseTiming.defaults().holdForMs()); // frozen: no tick ran, no watchdog ran
        assertFalse(keeper.isHolder());
        assertEquals(OptionalLong.empty(), keeper.currentEpoch());
        assertEquals(LossReason.DEADLINE_PASSED, events.losses().getFirst().reason(), "and says so at once");
        assertEquals(1, keeper.lostCount());
    }

    @Test
    void timingThatCouldNeverRenewInTimeIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LeaseTiming(3_000, 2_600, 500));
        assertTrue(e.getMessage().startsWith("lease renewEveryMs must be in (0, ttlMs - safetyMarginMs = 2500)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LeaseTiming(3_000, 1_000, 3_000));
        assertEquals(new LeaseTiming(3_000, 1_000, 500), LeaseTiming.defaults());
    }
}
