package io.heliograph.edge.mesh;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.heliograph.region.sequencing.SequencingGate;

/**
 * Keeps a node that was paused from sequencing on a mesh table that may have gone stale while it was.
 *
 * <p>A process stopped (SIGSTOP, a frozen VM, a long GC pause) for longer than the control plane takes to declare its
 * region down has missed, perhaps, the move of its homes to another region under a new epoch; and when its whole
 * region was frozen, no survivor fenced it (a region marked down is not asked to yield). On waking it would go on
 * assigning serials of the old epoch, and acknowledging the {@code region}-durability ones, until the new table
 * reached it. So a node that notices a gap in its own ticking of at least {@code thresholdMs} (the monotonic clock
 * runs on while a process is stopped) closes its gate: it assigns no serial until the control plane confirms the
 * table, which it asks for by publishing a fresh nonce in its {@code /health} ({@code meshTableConfirm}); the
 * leader's next probe sees it and pushes its current table with that nonce, so the confirmation reflects a table
 * read after the pause. Forwarding to another region's home goes on meanwhile.
 *
 * <p>Only a node that holds a mesh table closes its gate: without one there is no control plane to move its homes.
 * The cost: a node paused that long, with every control-plane replica gone, stays closed until one is back.
 */
public final class PauseFence implements SequencingGate, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PauseFence.class.getName());
    static final long TICK_MS = 100;

    private final long thresholdNs;
    private final LongSupplier nanoTime;
    private final BooleanSupplier holdsTable;
    private final Runnable onFence;
    private final Runnable onRefusal;
    private final AtomicReference<String> nonce = new AtomicReference<>();
    private final AtomicLong lastTickNs;
    private final AtomicLong pausedMs = new AtomicLong();
    /**
     * Set by the first tick: before it the node is still starting (joining its region can take seconds), which is
     * no pause, and a publish forwarded to it meanwhile must not close the gate.
     */
    private volatile boolean armed;
    private volatile Thread ticker;

    /**
     * @param thresholdMs the shortest pause that closes the gate; 0 turns the fence off
     * @param holdsTable  whether the region holds a mesh table (is steered by a control plane)
     * @param onFence     told of every closing (the edge counts them)
     * @param onRefusal   told of every publish refused while closed
     */
    public PauseFence(long thresholdMs, LongSupplier nanoTime, BooleanSupplier holdsTable, Runnable onFence,
                      Runnable onRefusal) {
        this.onRefusal = onRefusal;
        this.thresholdNs = TimeUnit.MILLISECONDS.toNanos(thresholdMs);
        this.nanoTime = nanoTime;
        this.holdsTable = holdsTable;
        this.onFence = onFence;
        this.lastTickNs = new AtomicLong(nanoTime.getAsLong());
    }

    /** Ticks every {@value #TICK_MS} ms on a platform daemon thread of its own (not starved by virtual threads). */
    public PauseFence start() {
        if (thresholdNs <= 0) {
            return this;
        }
        lastTickNs.set(nanoTime.getAsLong());
        armed = true;
        ticker = Thread.ofPlatform().daemon().name("pause-fence").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(TICK_MS); // a clock to watch for gaps: the sleep itself is the measurement
                } catch (InterruptedException e) {
                    return;
                }
                tick();
            }
        });
        return this;
    }

    /** One tick: closes the gate when the time since the last one reaches the threshold. */
    void tick() {
        armed = true;
        long now = nanoTime.getAsLong();
        long gapNs = now - lastTickNs.getAndSet(now);
        if (thresholdNs > 0 && gapNs >= thresholdNs && holdsTable.getAsBoolean()) {
            String fresh = UUID.randomUUID().toString();
            nonce.set(fresh);
            pausedMs.set(TimeUnit.NANOSECONDS.toMillis(gapNs));
            onFence.run();
            LOG.log(System.Logger.Level.WARNING, "this node was paused for " + pausedMs.get() + " ms: it assigns no "
                    + "serial until the control plane confirms its mesh table");
        }
    }

    @Override
    public String refusal() {
        if (armed && thresholdNs > 0 && nanoTime.getAsLong() - lastTickNs.get() >= thresholdNs) {
            // Woken, and this publish ran before the ticker did: the gap is seen here first.
            tick();
        }
        if (nonce.get() == null) {
            return null;
        }
        onRefusal.run();
        return "this node was paused for " + pausedMs.get() + " ms; it sequences again "
                + "once the control plane has confirmed its mesh table";
    }

    /** The nonce a confirming push must carry; null while the gate is open. */
    public String pendingConfirmation() {
        return nonce.get();
    }

    /** Opens the gate when {@code presented} is the pending nonce; answers whether it did. */
    public boolean confirm(String presented) {
        String pending = nonce.get();
        if (pending == null || presented == null || !pending.equals(presented)) {
            return false;
        }
        if (nonce.compareAndSet(pending, null)) {
            LOG.log(System.Logger.Level.INFO, "the control plane confirmed the mesh table: sequencing again");
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        Thread running = ticker;
        if (running != null) {
            running.interrupt();
        }
    }
}
