package io.heliograph.region.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Mutual exclusion of {@link LeaseKeeper}s as a property, over many random runs in simulated time: three keepers on
 * one in-memory store, each with its own wall clock (skewed) and monotonic clock, whose storage calls take time (during
 * which the others act), sometimes fail before or after being applied (an unconfirmed backup), sometimes stall far
 * past the holder's deadline, and whose processes freeze for up to three TTLs. At no instant may two keepers answer
 * {@link LeaseKeeper#isHolder()}, as long as the safety margin exceeds the skew; and the simulation finds two holders
 * once it does not, which shows that it can.
 */
class LeaseKeeperSimulationTest {

    private static final LeaseTiming TIMING = new LeaseTiming(3_000, 1_000, 500);

    @Test
    void neverTwoHoldersWhileTheMarginCoversTheSkew() {
        for (long seed = 1; seed <= 300; seed++) {
            World world = new World(seed, TIMING, 450);
            world.run(3_000);
            assertEquals(null, world.violation, "seed " + seed);
            assertTrue(world.gained > 0, "seed " + seed + ": somebody held the lease at some point");
        }
    }

    @Test
    void withASkewBeyondTheMarginTheSimulationFindsTwoHolders() {
        String found = null;
        for (long seed = 1; seed <= 300 && found == null; seed++) {
            World world = new World(seed, TIMING.withSafetyMargin(java.time.Duration.ofMillis(100)), 1_500);
            world.run(3_000);
            found = world.violation;
        }
        assertNotNull(found, "a margin below the skew must be caught, or this simulation proves nothing");
    }

    /** Simulated time, and the keepers acting in it; a storage call lets time pass, and the others act meanwhile. */
    private static final class World {
        final Random random;
        final LeaseTiming timing;
        final InMemoryLeaseStore records = new InMemoryLeaseStore(() -> 0);
        final List<Participant> participants = new ArrayList<>();
        long nowMs = 1_000_000;
        long lastGainedEpoch;
        String lastGainedHolder;
        int gained;
        String violation;

        World(long seed, LeaseTiming timing, long maxSkewMs) {
            this.random = new Random(seed);
            this.timing = timing;
            for (int i = 0; i < 3; i++) {
                participants.add(new Participant(this, "replica-" + i, random.nextLong(maxSkewMs + 1) - maxSkewMs / 2,
                        random.nextLong(1L << 40)));
            }
        }

        void run(int steps) {
            for (int step = 0; step < steps && violation == null; step++) {
                if (random.nextInt(40) == 0) {
                    Participant frozen = participants.get(random.nextInt(participants.size()));
                    frozen.frozenUntilMs = nowMs + random.nextLong(3 * timing.ttlMs());
                }
                advance(1 + random.nextLong(timing.ttlMs() / 3));
            }
        }

        /** Moves time on by {@code ms}, running every keeper step that falls due meanwhile, in time order. */
        void advance(long ms) {
            long targetMs = nowMs + ms;
            while (violation == null) {
                Participant next = null;
                for (Participant p : participants) {
                    if (!p.busy && p.dueAtMs() <= targetMs && (next == null || p.dueAtMs() < next.dueAtMs())) {
                        next = p;
                    }
                }
                if (next == null) {
                    break;
                }
                nowMs = Math.max(nowMs, next.dueAtMs());
                check();
                next.step();
                check();
            }
            nowMs = Math.max(nowMs, targetMs);
            check();
        }

        void check() {
            List<String> holders = new ArrayList<>();
            for (Participant p : participants) {
                if (p.keeper.isHolder()) {
                    holders.add(p.keeper.holder());
                }
            }
            if (holders.size() > 1 && violation == null) {
                violation = "two holders at " + nowMs + ": " + holders;
            }
        }

        void gained(Lease lease) {
            gained++;
            boolean newHolder = !lease.holder().equals(lastGainedHolder);
            if (lease.leaseEpoch() < lastGainedEpoch || newHolder && lease.leaseEpoch() == lastGainedEpoch) {
                violation = "epoch " + lease.leaseEpoch() + " gained by " + lease.holder() + " after epoch "
                        + lastGainedEpoch + " of " + lastGainedHolder;
            }
            lastGainedEpoch = lease.leaseEpoch();
            lastGainedHolder = lease.holder();
        }
    }

    /** One keeper in its own process: its clocks, its storage calls, its freezes. */
    private static final class Participant implements LeaseStore, LeaseListener {
        final World world;
        final long skewMs;
        final long monotonicOffsetNs;
        final LeaseKeeper keeper;
        long nextStepAtMs;
        long frozenUntilMs;
        boolean busy;

        Participant(World world, String name, long skewMs, long monotonicOffsetNs) {
            this.world = world;
            this.skewMs = skewMs;
            this.monotonicOffsetNs = monotonicOffsetNs;
            LongSupplier wallMs = () -> world.nowMs + skewMs;
            LongSupplier monotonicNs = () -> world.nowMs * 1_000_000 + monotonicOffsetNs;
            this.keeper = new LeaseKeeper(this, "bridge/eu-west", name, world.timing, this, wallMs, monotonicNs);
        }

        long dueAtMs() {
            return Math.max(nextStepAtMs, frozenUntilMs);
        }

        void step() {
            busy = true;
            long delayMs = keeper.tick();
            busy = false;
            nextStepAtMs = world.nowMs + delayMs;
        }

        @Override
        public LeaseOutcome acquire(String name, String holder, long ttlMs) {
            return call(store -> store.acquire(name, holder, ttlMs));
        }

        @Override
        public LeaseOutcome renew(String name, String holder, long leaseEpoch, long ttlMs) {
            return call(store -> store.renew(name, holder, leaseEpoch, ttlMs));
        }

        @Override
        public LeaseOutcome release(String name, String holder, long leaseEpoch) {
            return call(store -> store.release(name, holder, leaseEpoch));
        }

        @Override
        public java.util.Optional<Lease> current(String name) {
            return world.records.current(name);
        }

        /**
         * Like the Hazelcast store: the caller's clock is read before the call is sent and decides on arrival; the
         * request and the answer each take time, the answer sometimes very long; either may be lost.
         */
        private LeaseOutcome call(Function<LeaseStore, LeaseOutcome> change) {
            Random random = world.random;
            long stampMs = world.nowMs + skewMs;
            world.advance(random.nextLong(200));
            if (random.nextInt(20) == 0) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "request lost");
            }
            LeaseOutcome outcome = change.apply(world.records.withClock(() -> stampMs));
            world.advance(random.nextInt(30) == 0 ? random.nextLong(2 * world.timing.ttlMs()) : random.nextLong(200));
            if (random.nextInt(20) == 0) {
                throw new HeliographException(ErrorCode.UNAVAILABLE, "applied, but the backup did not confirm");
            }
            return outcome;
        }

        @Override
        public void gained(Lease lease) {
            world.gained(lease);
        }

        @Override
        public void lost(Lease lease, LossReason reason) {
        }
    }
}
