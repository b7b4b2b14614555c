package io.heliograph.client;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings a client back to its preferred region once that region serves again. A failover or a drain sends a client to
 * the next region of its preference; when the region is restored (or comes back healthy), negotiation names it again,
 * but a connected client never negotiates. So every {@code interval}, while connected elsewhere, the client asks one
 * entry whether its preferred region serves ({@link RegionNegotiator#preferredServing()}, off the timer, on a virtual
 * thread) and, when it does, moves there: the old connection is closed politely and every channel resumes from its
 * last serial, exactly as after a redirect, so nothing is lost or delivered twice. A region that failed this client
 * lately is left alone until its exclusion ends.
 */
final class PreferredRegionReturn implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PreferredRegionReturn.class.getName());

    private final ConnectionAgent agent;
    private final RegionNegotiator negotiator;
    private final AtomicBoolean checking = new AtomicBoolean();
    private final AtomicLong returns;
    private final ScheduledFuture<?> schedule;

    /** @param interval between checks; zero or negative: never return by itself */
    PreferredRegionReturn(ConnectionAgent agent, RegionNegotiator negotiator, ScheduledExecutorService timers,
                          Duration interval, AtomicLong returns) {
        this.agent = agent;
        this.negotiator = negotiator;
        this.returns = returns;
        long ms = interval.toMillis();
        this.schedule = negotiator == null || ms <= 0 ? null
                : timers.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** On the timer: one check at a time, its HTTP off the timer thread. */
    private void check() {
        Connection away = agent.awayFrom(negotiator.preferredRegion());
        if (away == null || !checking.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("heliograph-client-return").start(() -> {
            try {
                RegionNegotiator.Answer answer = negotiator.preferredServing();
                if (answer != null && agent.returnTo(away, answer)) {
                    returns.incrementAndGet();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "checking the preferred region failed: {0}", e.toString());
            } finally {
                checking.set(false);
            }
        });
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
