package io.heliograph.bridge.process;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Removes the members of a peer region that has not linked to this replica for the presence timeout, once per
 * outage, while this replica holds the lease (so one replica of the region does it, and a new holder first gives every
 * peer a whole timeout). So a region that is gone leaves everyone's presence within the timeout, as a node that is
 * gone leaves its region's; when it links again its presence snapshot brings back those still present.
 */
final class PeerPresenceExpiry {

    private static final System.Logger LOG = System.getLogger(PeerPresenceExpiry.class.getName());
    private static final long CHECK_MS = 500;

    private final Set<String> peers;
    private final long timeoutMs;
    private final Supplier<Set<String>> linked;
    private final ToIntFunction<String> forget;
    private final LongSupplier nowMs;
    private final Map<String, Long> lastLinkedMs = new ConcurrentHashMap<>();
    private final Set<String> forgotten = ConcurrentHashMap.newKeySet();
    private volatile boolean holding;

    /**
     * @param linked the peers with a stream to this replica now
     * @param forget removes a peer's members here, answering how many
     */
    PeerPresenceExpiry(Set<String> peers, long timeoutMs, Supplier<Set<String>> linked, ToIntFunction<String> forget,
                       LongSupplier nowMs) {
        this.peers = Set.copyOf(peers);
        this.timeoutMs = timeoutMs;
        this.linked = linked;
        this.forget = forget;
        this.nowMs = nowMs;
    }

    /** Starts checking; closing the handle stops it. */
    AutoCloseable start() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("peer-presence-expiry").factory());
        timer.scheduleWithFixedDelay(this::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    /** This replica gained (true) or lost (false) the lease; a new tenure gives every peer a whole timeout. */
    void holding(boolean holds) {
        if (holds) {
            long now = nowMs.getAsLong();
            peers.forEach(peer -> lastLinkedMs.put(peer, now));
        }
        holding = holds;
    }

    void check() {
        if (!holding) {
            return;
        }
        long now = nowMs.getAsLong();
        Set<String> up = linked.get();
        for (String peer : peers) {
            if (up.contains(peer)) {
                lastLinkedMs.put(peer, now);
                forgotten.remove(peer);
            } else if (now - lastLinkedMs.getOrDefault(peer, now) >= timeoutMs && forgotten.add(peer)) {
                try {
                    int removed = forget.applyAsInt(peer);
                    LOG.log(System.Logger.Level.WARNING, "no link from " + peer + " for " + timeoutMs + " ms: its "
                            + removed + " presence member(s) removed here");
                } catch (RuntimeException e) {
                    forgotten.remove(peer); // tried again at the next check
                    LOG.log(System.Logger.Level.WARNING, "removing the presence of " + peer + " failed: " + e);
                }
            }
        }
    }
}
