package io.heliograph.region.hazelcast;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IndeterminateOperationState;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;

import io.heliograph.protocol.ErrorCode;
import io.heliograph.protocol.HeliographException;

/**
 * Runs calls on the region's maps and turns Hazelcast's failures into the protocol's 503, in one place, counting each
 * by its cause.
 *
 * <p>The member runs with {@code hazelcast.operation.fail.on.indeterminate.state} (see {@link RegionMember}): a change
 * whose synchronous backup did not confirm within the backup timeout fails instead of being answered as if it were
 * backed up. Such a change may still have been applied on the owner. A publish ({@link #onKey}) is then answered 503
 * at once: its client retries it with the same msgId, which settles it, and an ack keeps meaning "the backup has it".
 * Every other change ({@link #onKeyPatiently}: attach, detach, presence, clean-ups) is one its caller does not retry
 * (an SDK re-attaching after a reconnect, a connection's presence leave on close), so it is repeated here until its
 * backup confirms or the backup's member has been removed (a dead backup is removed within seconds, and then no
 * confirmation is waited for), for at most {@code patienceMs}.
 *
 * <p>The same setting also stops Hazelcast from re-invoking a call whose partition owner left the cluster before
 * answering ({@link MemberLeftException}). That re-invocation on the promoted backup is what Hazelcast does without the
 * setting, and it is safe for the same reason, so it is done here, a bounded number of times.
 */
public final class RegionCalls {

    /** The {@code cause} label of {@code heliograph_region_unavailable_total}. */
    public static final String INDETERMINATE = "indeterminate";
    public static final String TIMEOUT = "timeout";
    public static final String SHUTTING_DOWN = "shutting_down";
    public static final String OTHER = "other";

    /** Attempts of a call whose partition owner left before answering: the second goes to the promoted backup. */
    static final int OWNER_LEFT_ATTEMPTS = 3;

    /** How long a change other than a publish is repeated while its backup does not confirm it. */
    static final long PATIENCE_MS = 10_000;
    private static final long PATIENT_PAUSE_MS = 100;

    private final Consumer<String> onUnavailable;
    private final long patienceMs;

    /** @param onUnavailable told the cause of every call answered 503 (a metric) */
    public RegionCalls(Consumer<String> onUnavailable) {
        this(onUnavailable, PATIENCE_MS);
    }

    RegionCalls(Consumer<String> onUnavailable, long patienceMs) {
        this.onUnavailable = Objects.requireNonNull(onUnavailable);
        this.patienceMs = patienceMs;
    }

    /** Calls that are not counted (tests, tools). */
    public static RegionCalls uncounted() {
        return new RegionCalls(cause -> { });
    }

    /**
     * A change whose client retries it on 503 (a publish, an append to the bridge's outbound log): 503 as soon as its
     * backup did not confirm it.
     */
    public <V, R> R onKey(IMap<String, V> map, String key, EntryProcessor<String, V, R> processor) {
        return call(() -> map.executeOnKey(key, processor));
    }

    /** A change that is safe to repeat and that nobody would retry: repeated while its backup does not confirm it. */
    public <V, R> R onKeyPatiently(IMap<String, V> map, String key, EntryProcessor<String, V, R> processor) {
        return callPatiently(() -> map.executeOnKey(key, processor));
    }

    /** Any other call on region storage (reads): 503 on the same causes, counted the same way. */
    public <R> R call(Callable<R> call) {
        return call(call, 0);
    }

    <R> R callPatiently(Callable<R> call) {
        return call(call, System.nanoTime() + patienceMs * 1_000_000);
    }

    private <R> R call(Callable<R> call, long patientUntilNs) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (HeliographException e) {
                throw e;
            } catch (Exception e) {
                // Hazelcast rethrows MemberLeftException (a checked exception) undeclared, or wrapped.
                if (causedBy(e, MemberLeftException.class) && attempt < OWNER_LEFT_ATTEMPTS) {
                    continue;
                }
                String cause = causeOf(e);
                if (cause.equals(INDETERMINATE) && patientUntilNs != 0 && System.nanoTime() < patientUntilNs
                        && pause()) {
                    continue;
                }
                onUnavailable.accept(cause);
                throw new HeliographException(ErrorCode.UNAVAILABLE, message(cause, e), e);
            }
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(PATIENT_PAUSE_MS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String causeOf(Throwable e) {
        if (causedBy(e, HazelcastInstanceNotActiveException.class)) {
            return SHUTTING_DOWN;
        }
        if (causedBy(e, IndeterminateOperationStateException.class)
                || causedBy(e, IndeterminateOperationState.class)) {
            return INDETERMINATE;
        }
        if (causedBy(e, OperationTimeoutException.class)) {
            return TIMEOUT;
        }
        return OTHER;
    }

    private static String message(String cause, Exception e) {
        return switch (cause) {
            case SHUTTING_DOWN -> "node is shutting down";
            case INDETERMINATE -> "region storage could not confirm the change with its backup; it may or may not "
                    + "have been applied: retry (a publish with the same msgId)";
            case TIMEOUT -> "region storage did not answer in time";
            default -> "region storage unavailable: " + e.getClass().getSimpleName();
        };
    }

    private static boolean causedBy(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
