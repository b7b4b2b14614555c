package io.heliograph.region.lease;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a started {@link LeaseKeeper}, platform daemons named after the lease: {@code calls} makes the
 * storage calls and may block in them, {@code deadline} reports a loss at the holder's deadline even then, and
 * {@code events} tells the listener, in order. Delayed tasks are dropped on shutdown, so closing never waits for the
 * next renewal.
 */
final class KeeperThreads {

    private final ScheduledExecutorService calls;
    private final ScheduledExecutorService deadline;
    private final ExecutorService events;

    KeeperThreads(String leaseName) {
        this.calls = scheduler(leaseName, "calls");
        this.deadline = scheduler(leaseName, "deadline");
        this.events = Executors.newSingleThreadExecutor(daemon(leaseName, "events"));
    }

    /** Runs {@code task} on the calls thread after {@code delayMs}; nothing once stopped. */
    void call(Runnable task, long delayMs) {
        try {
            calls.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Stopped meanwhile: nothing more to run.
        }
    }

    ScheduledFuture<?> atDeadline(Runnable check, long delayNs) {
        return deadline.schedule(check, delayNs, TimeUnit.NANOSECONDS);
    }

    void notify(Runnable event) {
        events.execute(event);
    }

    /** Stops the storage calls, waiting at most {@code boundMs} for one in progress (then interrupting it). */
    void stopCalls(long boundMs) {
        calls.shutdown();
        awaitOrInterrupt(calls, boundMs);
        deadline.shutdownNow();
    }

    /** Stops the listener's thread once it has told what was queued, waiting at most {@code boundMs}. */
    void stopEvents(long boundMs) {
        events.shutdown();
        awaitOrInterrupt(events, boundMs);
    }

    private static void awaitOrInterrupt(ExecutorService executor, long boundMs) {
        try {
            if (!executor.awaitTermination(boundMs, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ScheduledExecutorService scheduler(String leaseName, String role) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemon(leaseName, role));
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static ThreadFactory daemon(String leaseName, String role) {
        return Thread.ofPlatform().daemon().name("lease-keeper-" + leaseName + "-" + role).factory();
    }
}
