package io.heliograph.region.lease;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.heliograph.region.lease.LeaseListener.LossReason;

/**
 * Holds one named lease in the background: acquires it whenever it is free, renews it every {@code renewEveryMs}
 * while held, and tells a {@link LeaseListener} on gaining (with the fencing epoch) and on losing it. Several keepers
 * of one name (a bridge replica and its standby) contend; at most one holds.
 *
 * <p><b>The holder's own deadline.</b> Each granted acquire or renewal lets the holder act until {@code start + ttlMs
 * - safetyMarginMs} by its own monotonic clock, where {@code start} is read before the call is sent. The store stamps
 * the expiry with the caller's wall clock read after that, so the deadline lies at least {@code safetyMarginMs} before
 * the expiry in the holder's terms. Another member may acquire once its own wall clock passes the expiry; if its clock
 * runs ahead of the holder's by less than the margin, that is still after the holder's deadline. So <b>the margin must
 * exceed the largest wall-clock difference between members</b> (NTP keeps it to milliseconds; a clock stepped by more
 * than the margin can make two holders). Past its deadline the holder has lost the lease whatever storage says: a
 * watchdog thread reports the loss at the deadline even while a renewal is stuck in a call, and {@link #isHolder()}
 * checks the clock itself, so a process that was frozen answers false at its first check after waking. As a second
 * guard the holder also counts itself lost once its wall clock reaches {@code expiresAt - safetyMarginMs} (a host whose
 * monotonic clock stood still while suspended).
 *
 * <p>Threads: see {@link KeeperThreads}. Every wait is bounded; {@link #close()} releases the lease.
 */
public final class LeaseKeeper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LeaseKeeper.class.getName());
    /** Shortest pause between two acquire attempts, so a standby never spins on a lease about to expire. */
    private static final long MIN_RETRY_MS = 10;

    /** One tenure as this keeper holds it: the stored record and the holder's own deadline. */
    private record Tenure(Lease lease, long deadlineNs) {
    }

    private final LeaseStore store;
    private final String leaseName;
    private final String holder;
    private final LeaseTiming timing;
    private final LeaseListener listener;
    private final LongSupplier wallMs;
    private final LongSupplier monotonicNs;
    private final Object lock = new Object();
    private final AtomicLong acquired = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong renewFailures = new AtomicLong();

    /** Null when not holding; read without the lock by {@link #isHolder()}. */
    private volatile Tenure tenure;
    private volatile boolean closed;
    /** Null until started, and in tests that step the keeper themselves. */
    private KeeperThreads threads;
    private ScheduledFuture<?> deadlineWatch;

    /**
     * @param holderName who this is (a bridge replica's id); a random suffix makes it unique to this keeper, so two
     *                   keepers never share a tenure
     */
    public LeaseKeeper(LeaseStore store, String leaseName, String holderName, LeaseTiming timing,
                       LeaseListener listener) {
        this(store, leaseName, holderName, timing, listener, System::currentTimeMillis, System::nanoTime);
    }

    /** With injected clocks: {@code wallMs} as the store's caller sees it, {@code monotonicNs} for deadlines. */
    public LeaseKeeper(LeaseStore store, String leaseName, String holderName, LeaseTiming timing,
                       LeaseListener listener, LongSupplier wallMs, LongSupplier monotonicNs) {
        this.store = Objects.requireNonNull(store, "store");
        this.leaseName = Objects.requireNonNull(leaseName, "leaseName");
        this.holder = Objects.requireNonNull(holderName, "holderName") + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        this.timing = Objects.requireNonNull(timing, "timing");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.wallMs = Objects.requireNonNull(wallMs, "wallMs");
        this.monotonicNs = Objects.requireNonNull(monotonicNs, "monotonicNs");
    }

    /** Starts contending for the lease at once. */
    public LeaseKeeper start() {
        synchronized (lock) {
            if (threads != null || closed) {
                throw new IllegalStateException("lease keeper of " + leaseName + " already started or closed");
            }
            threads = new KeeperThreads(leaseName);
            threads.call(this::runTick, 0);
        }
        return this;
    }

    /** True while this keeper holds the lease and its deadline has not passed; reports a loss it finds overdue. */
    public boolean isHolder() {
        return currentTenure() != null;
    }

    /** The fencing epoch to carry on a call made as holder; empty when not holding. */
    public OptionalLong currentEpoch() {
        Tenure t = currentTenure();
        return t == null ? OptionalLong.empty() : OptionalLong.of(t.lease().leaseEpoch());
    }

    /** The record of the tenure held now, empty when not holding. */
    public Optional<Lease> currentLease() {
        return Optional.ofNullable(currentTenure()).map(Tenure::lease);
    }

    /** This keeper's holder name as the store records it (the given name and a per-keeper suffix). */
    public String holder() {
        return holder;
    }

    public String leaseName() {
        return leaseName;
    }

    /** Tenures gained. */
    public long acquiredCount() {
        return acquired.get();
    }

    /** Tenures lost (deadline passed, renewal refused, or closed while holding). */
    public long lostCount() {
        return lost.get();
    }

    /** Renewals that did not extend the tenure: storage failed, or refused them. */
    public long renewFailureCount() {
        return renewFailures.get();
    }

    private Tenure currentTenure() {
        Tenure t = tenure;
        if (t != null && overdue(t)) {
            synchronized (lock) {
                loseIfCurrent(t, LossReason.DEADLINE_PASSED);
            }
            return null;
        }
        return t;
    }

    private boolean overdue(Tenure t) {
        return monotonicNs.getAsLong() - t.deadlineNs() >= 0
                || wallMs.getAsLong() >= t.lease().expiresAtMs() - timing.safetyMarginMs();
    }

    private void runTick() {
        if (closed) {
            return;
        }
        long delayMs = timing.renewEveryMs();
        try {
            delayMs = tick();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "lease " + leaseName + ": unexpected failure; trying again", e);
        }
        if (!closed) {
            threads.call(this::runTick, delayMs);
        }
    }

    /** One step: renew the tenure held, or try to acquire; answers the pause before the next step, in ms. */
    long tick() {
        Tenure t = currentTenure();
        long startNs = monotonicNs.getAsLong();
        return t == null ? tryAcquire(startNs) : tryRenew(t, startNs);
    }

    private long tryAcquire(long startNs) {
        LeaseOutcome outcome;
        try {
            outcome = store.acquire(leaseName, holder, timing.ttlMs());
        } catch (RuntimeException e) {
            // Unknown whether it was applied: act as refused; the next acquire by this holder settles it.
            LOG.log(System.Logger.Level.DEBUG, () -> "lease " + leaseName + ": acquire failed: " + e.getMessage());
            return timing.renewEveryMs();
        }
        if (!outcome.granted()) {
            return untilLikelyFree(outcome.lease());
        }
        Tenure gained = new Tenure(outcome.lease(), startNs + TimeUnit.MILLISECONDS.toNanos(timing.holdForMs()));
        synchronized (lock) {
            if (!closed) {
                if (overdue(gained)) {
                    // The answer came too late to act on: this holder must not count on it.
                    return MIN_RETRY_MS;
                }
                tenure = gained;
                watch(gained);
                acquired.incrementAndGet();
                notifyListener(() -> listener.gained(gained.lease()));
                return timing.renewEveryMs();
            }
        }
        // Granted while closing: hand it straight back.
        releaseQuietly(gained.lease());
        return timing.renewEveryMs();
    }

    private long tryRenew(Tenure t, long startNs) {
        LeaseOutcome outcome;
        try {
            outcome = store.renew(leaseName, holder, t.lease().leaseEpoch(), timing.ttlMs());
        } catch (RuntimeException e) {
            renewFailures.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, () -> "lease " + leaseName + ": renewal failed: " + e.getMessage());
            return timing.renewEveryMs();
        }
        synchronized (lock) {
            if (!outcome.granted()) {
                renewFailures.incrementAndGet();
                loseIfCurrent(t, LossReason.RENEW_REFUSED);
                return 0;
            }
            if (tenure != t || overdue(t)) {
                // Lost while the renewal was on its way: a tenure, once reported lost, stays lost. The record still
                // names this holder until it expires, so the next acquire resumes it under the same epoch.
                loseIfCurrent(t, LossReason.DEADLINE_PASSED);
                return 0;
            }
            Tenure renewed = new Tenure(outcome.lease(), startNs + TimeUnit.MILLISECONDS.toNanos(timing.holdForMs()));
            tenure = renewed;
            watch(renewed);
        }
        return timing.renewEveryMs();
    }

    /** A standby waits until the holder's expiry (as its own clock reads it), but at most one renewal period. */
    private long untilLikelyFree(Lease current) {
        long untilExpiryMs = current == null ? 0 : current.expiresAtMs() - wallMs.getAsLong();
        return Math.clamp(untilExpiryMs + 1, MIN_RETRY_MS, timing.renewEveryMs());
    }

    /** Called under the lock. */
    private void watch(Tenure t) {
        if (deadlineWatch != null) {
            deadlineWatch.cancel(false);
        }
        if (threads != null) {
            long delayNs = Math.max(0, t.deadlineNs() - monotonicNs.getAsLong());
            deadlineWatch = threads.atDeadline(() -> {
                synchronized (lock) {
                    if (tenure == t && overdue(t)) {
                        loseIfCurrent(t, LossReason.DEADLINE_PASSED);
                    }
                }
            }, delayNs);
        }
    }

    /** Called under the lock. */
    private void loseIfCurrent(Tenure t, LossReason reason) {
        if (tenure != t) {
            return;
        }
        tenure = null;
        if (deadlineWatch != null) {
            deadlineWatch.cancel(false);
            deadlineWatch = null;
        }
        lost.incrementAndGet();
        notifyListener(() -> listener.lost(t.lease(), reason));
    }

    private void notifyListener(Runnable call) {
        Runnable guarded = () -> {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "lease " + leaseName + ": listener failed", e);
            }
        };
        if (threads == null) {
            guarded.run(); // not started: stepped by a test
        } else {
            threads.notify(guarded);
        }
    }

    /**
     * Stops contending; if holding, reports the loss and releases the lease so a standby takes over at once instead
     * of after the TTL. Waits at most one TTL for a storage call in progress.
     */
    @Override
    public void close() {
        KeeperThreads started;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            started = threads;
        }
        if (started != null) {
            started.stopCalls(timing.ttlMs());
        }
        Tenure released;
        synchronized (lock) {
            released = tenure;
            if (released != null) {
                loseIfCurrent(released, LossReason.CLOSED);
            }
        }
        if (released != null) {
            releaseQuietly(released.lease());
        }
        if (started != null) {
            started.stopEvents(timing.ttlMs());
        }
    }

    private void releaseQuietly(Lease lease) {
        try {
            store.release(leaseName, holder, lease.leaseEpoch());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "lease " + leaseName + " epoch " + lease.leaseEpoch()
                    + " not released (" + e.getMessage() + "); it expires by its TTL");
        }
    }
}
