package io.heliograph.edge.api;

import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Cleans up after nodes that left the region, on the coordinator: removes a departed node's presence members and
 * interest, retrying with backoff when the region's storage refuses (a migration after the very departure that caused
 * the clean-up is the usual reason), and now and then reconciles: any node that still holds presence members or
 * interest but is not a member is forgotten. The reconciliation is what finishes clean-ups a coordinator gave up on,
 * or never got to because it died itself.
 */
public final class DepartedNodeAgent {

    private static final System.Logger LOG = System.getLogger(DepartedNodeAgent.class.getName());

    /** The outcomes counted in {@code heliograph_departed_node_cleanups_total}. */
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String GAVE_UP = "gave_up";
    public static final String RECONCILED = "reconciled";

    /** The settings of an agent: attempts, the first retry delay (doubling up to the cap), the reconciliation period. */
    public record Schedule(int maxAttempts, long firstRetryMs, long maxRetryMs, long reconcileMs) {
        /** 8 attempts over about a minute; a reconciliation every 30 s. */
        public static final Schedule DEFAULT = new Schedule(8, 500, 15_000, 30_000);
    }

    private final Consumer<String> forgetNode;
    private final Supplier<Set<String>> forgetDepartedNodes;
    private final Predicate<String> isLive;
    private final BooleanSupplier isCoordinator;
    private final Consumer<String> count;
    private final ScheduledExecutorService timer;
    private final Schedule schedule;
    /** Whether this node coordinated when it last heard of a departure. */
    private volatile boolean coordinating;

    /**
     * @param forgetNode          removes one node's presence members and interest (throws when storage refuses)
     * @param forgetDepartedNodes removes every non-member's leftovers; answers the nodes it removed
     * @param isLive              whether a node is a member of the region (again) right now
     * @param count               told each outcome, for the metric
     * @param timer               schedules retries and reconciliations; the work itself runs on virtual threads
     */
    public DepartedNodeAgent(Consumer<String> forgetNode, Supplier<Set<String>> forgetDepartedNodes,
                             Predicate<String> isLive, BooleanSupplier isCoordinator, Consumer<String> count,
                             ScheduledExecutorService timer, Schedule schedule) {
        this.forgetNode = forgetNode;
        this.forgetDepartedNodes = forgetDepartedNodes;
        this.isLive = isLive;
        this.isCoordinator = isCoordinator;
        this.count = count;
        this.timer = timer;
        this.schedule = schedule;
    }

    /** Starts the periodic reconciliation. */
    public void start() {
        timer.scheduleWithFixedDelay(() -> Thread.ofVirtual().start(this::reconcile), schedule.reconcileMs(),
                schedule.reconcileMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * A node left the region: the coordinator cleans up after it. A node that has just become the coordinator (the
     * one that left coordinated) also reconciles at once, for the clean-ups its predecessor left unfinished. Returns
     * at once.
     */
    public void nodeLeft(String nodeId) {
        boolean coordinator = isCoordinator.getAsBoolean();
        boolean newlyCoordinator = coordinator && !coordinating;
        coordinating = coordinator;
        if (coordinator) {
            Thread.ofVirtual().start(() -> {
                attempt(nodeId, 1);
                if (newlyCoordinator) {
                    reconcile();
                }
            });
        }
    }

    private void attempt(String nodeId, int attempt) {
        if (isLive.test(nodeId)) {
            // Back from a split before its clean-up ran: what it holds is its own again.
            LOG.log(System.Logger.Level.INFO, "node " + nodeId + " is back; its clean-up is dropped");
            return;
        }
        if (!isCoordinator.getAsBoolean()) {
            // Another node coordinates now; its reconciliation finishes this.
            return;
        }
        try {
            forgetNode.accept(nodeId);
            count.accept(DONE);
            LOG.log(System.Logger.Level.INFO, "node " + nodeId + " left; its presence and interest were removed"
                    + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
        } catch (RuntimeException e) {
            count.accept(FAILED);
            if (attempt >= schedule.maxAttempts()) {
                count.accept(GAVE_UP);
                LOG.log(System.Logger.Level.WARNING, "clean-up after node " + nodeId + " failed " + attempt
                        + " times, last: " + e.getMessage() + "; the periodic reconciliation will retry it", e);
                return;
            }
            long delayMs = Math.min(schedule.maxRetryMs(), schedule.firstRetryMs() << Math.min(20, attempt - 1));
            LOG.log(System.Logger.Level.WARNING, "clean-up after node " + nodeId + " failed (attempt " + attempt
                    + " of " + schedule.maxAttempts() + "): " + e.getMessage() + "; retrying in " + delayMs + " ms");
            try {
                timer.schedule(() -> Thread.ofVirtual().start(() -> attempt(nodeId, attempt + 1)), delayMs,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                // the node is shutting down
            }
        }
    }

    /** On the coordinator: forgets every node that holds presence members or interest but is not a member. */
    public void reconcile() {
        if (!isCoordinator.getAsBoolean()) {
            return;
        }
        try {
            for (String nodeId : forgetDepartedNodes.get()) {
                count.accept(RECONCILED);
                LOG.log(System.Logger.Level.WARNING, "node " + nodeId + " was no longer a member but still had "
                        + "presence or interest; removed");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reconciling departed nodes failed: " + e.getMessage()
                    + "; next try in " + schedule.reconcileMs() + " ms");
        }
    }
}
