package io.heliograph.client;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Regions the client just lost, left out of negotiation for a while: a region whose edges all refused or dropped the
 * client (or asked it to leave) is likely still gone a moment later, even when an entry's copy of the mesh table does
 * not know it yet. Each exclusion ends on its own after the window, so a region that comes back is used again.
 *
 * <p>Thread-safe (negotiation runs off the client's lock).
 */
final class RegionExclusions {

    private final long windowMs;
    private final LongSupplier nowMs;
    private final Map<String, Long> untilMs = new HashMap<>();

    /** @param nowMs a monotonic clock in milliseconds, injected so tests can move time */
    RegionExclusions(Duration window, LongSupplier nowMs) {
        this.windowMs = window.toMillis();
        this.nowMs = nowMs;
    }

    /** Leaves {@code region} out from now until the window has passed. */
    synchronized void exclude(String region) {
        if (region != null) {
            untilMs.put(region, nowMs.getAsLong() + windowMs);
        }
    }

    synchronized boolean excludes(String region) {
        Long until = untilMs.get(region);
        if (until == null) {
            return false;
        }
        if (nowMs.getAsLong() >= until) {
            untilMs.remove(region);
            return false;
        }
        return true;
    }

    Duration window() {
        return Duration.ofMillis(windowMs);
    }
}
