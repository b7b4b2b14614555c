package io.heliograph.bridge.forward;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Forwarded publishes a replica carried, per peer region and direction ({@code out}: from this region's edge nodes to
 * the peer, the channel's home; {@code in}: from the peer to this region, the home), by outcome ({@code ok},
 * {@code unavailable}: 503, the publisher retries; {@code refused}: any other error), and the time they took.
 * Counters only grow.
 */
public final class ForwardCounters {

    public enum Direction { OUT, IN }

    public enum Outcome { OK, UNAVAILABLE, REFUSED }

    /** Counts and total nanoseconds of one peer and direction. */
    public record Totals(long ok, long unavailable, long refused, long totalNanos) {
        public long count() {
            return ok + unavailable + refused;
        }
    }

    private final Map<String, AtomicLong[]> counts = new ConcurrentHashMap<>();

    void record(String peer, Direction direction, Outcome outcome, long nanos) {
        AtomicLong[] slots = counts.computeIfAbsent(peer + "/" + direction, k -> new AtomicLong[]{
                new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()});
        slots[outcome.ordinal()].incrementAndGet();
        slots[3].addAndGet(Math.max(0, nanos));
    }

    public Totals totals(String peer, Direction direction) {
        AtomicLong[] slots = counts.get(peer + "/" + direction);
        return slots == null ? new Totals(0, 0, 0, 0)
                : new Totals(slots[0].get(), slots[1].get(), slots[2].get(), slots[3].get());
    }

    /** Every peer and direction seen so far. */
    public void forEach(BiConsumer<String, Direction> each) {
        counts.keySet().forEach(key -> {
            int split = key.lastIndexOf('/');
            each.accept(key.substring(0, split), Direction.valueOf(key.substring(split + 1)));
        });
    }

    static Outcome outcomeOf(io.heliograph.region.forwarding.ForwardOutcome outcome) {
        if (outcome.kind() != io.heliograph.region.forwarding.ForwardOutcome.Kind.REFUSED) {
            return Outcome.OK;
        }
        return outcome.error() == io.heliograph.protocol.ErrorCode.UNAVAILABLE ? Outcome.UNAVAILABLE
                : Outcome.REFUSED;
    }
}
