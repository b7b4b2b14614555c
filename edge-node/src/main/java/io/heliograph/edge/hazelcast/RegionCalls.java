package io.heliograph.edge.hazelcast;

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
 * whose synchronous backup did not confirm within the backup timeout fails here instead of being answered as if it
 * were backed up. Such a change may still have been applied on the owner; every change we make is safe to repeat
 * (a publish is deduplicated by its msgId), so the caller's retry settles it.
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

    private final Consumer<String> onUnavailable;

    /** @param onUnavailable told the cause of every call answered 503 (a metric) */
    public RegionCalls(Consumer<String> onUnavailable) {
        this.onUnavailable = Objects.requireNonNull(onUnavailable);
    }

    /** Calls that are not counted (tests, tools). */
    public static RegionCalls uncounted() {
        return new RegionCalls(cause -> { });
    }

    <V, R> R onKey(IMap<String, V> map, String key, EntryProcessor<String, V, R> processor) {
        return call(() -> map.executeOnKey(key, processor));
    }

    <R> R call(Callable<R> call) {
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
                onUnavailable.accept(cause);
                throw new HeliographException(ErrorCode.UNAVAILABLE, message(cause, e), e);
            }
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
